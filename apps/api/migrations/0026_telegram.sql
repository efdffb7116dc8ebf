-- Telegram operations bot (issue 21): operators' linked chats, one-time link codes (hashed) and the alert outbox.

-- One linked Telegram chat per operator; a chat belongs to one operator.
create table telegram_links (
  user_id uuid primary key references users (id) on delete cascade,
  chat_id bigint not null unique,
  telegram_user_id bigint not null,
  telegram_username text,
  linked_at timestamptz not null default now()
);

-- Link codes shown once in the console: stored as SHA-256, short-lived, used once.
create table telegram_link_codes (
  code_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index telegram_link_codes_user on telegram_link_codes (user_id);

-- Alerts waiting to be sent (or sent): written after the event's commit, sent by the dispatcher with retries, so an
-- outage of Telegram never touches the money path. One row per alert and chat.
create table telegram_outbox (
  id bigint generated always as identity primary key,
  chat_id bigint not null,
  kind text not null,
  dedupe_key text not null,
  body text not null,
  reply_markup jsonb,
  created_at timestamptz not null default now(),
  next_attempt_at timestamptz not null default now(),
  attempts integer not null default 0,
  sent_at timestamptz,
  last_error text,
  unique (dedupe_key, chat_id)
);
create index telegram_outbox_due on telegram_outbox (next_attempt_at) where sent_at is null;
