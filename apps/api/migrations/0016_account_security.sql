-- Account security (issue 16): withdrawal address book with a cooling-off period, "address book only" mode, the
-- "this wasn't me" freeze, and the anti-phishing code shown in every email.

-- frozen_at: set by a freeze link (or never by anything else); withdrawals, transfers and every step-up guarded
-- action answer 403 ACCOUNT_FROZEN until an operator (with a reason, audited) or the owner (email link + password +
-- second factor) lifts it. frozen_reason: free text for operators ("freeze link", ...).
alter table users
  add column frozen_at timestamptz,
  add column frozen_reason text;

-- One row per user that changed a setting. address_book_only_off_at: when a requested switch-off takes effect (the
-- cooling-off period after the request); null while the mode stays on or is off.
create table account_security_settings (
  user_id uuid primary key references users (id) on delete cascade,
  anti_phishing_code text check (anti_phishing_code is null or length(anti_phishing_code) between 4 and 20),
  address_book_only boolean not null default false,
  address_book_only_off_at timestamptz,
  updated_at timestamptz not null default now()
);

-- A saved destination. Usable once confirmed by the emailed link AND now() >= usable_at (created_at + the
-- cooling-off period, WITHDRAWAL_ADDRESS_COOLING_OFF_HOURS).
create table withdrawal_addresses (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  asset text not null,
  network text not null,
  address text not null,
  label text not null check (length(label) between 1 and 64),
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  usable_at timestamptz not null,
  unique (user_id, asset, network, address)
);
create index withdrawal_addresses_user on withdrawal_addresses (user_id, created_at desc);

-- Emailed single-use links: freeze ("this wasn't me"), unfreeze (owner's re-verification) and address
-- confirmation. Only the SHA-256 of the token is kept.
create table security_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('freeze', 'unfreeze', 'address_confirm')),
  token_hash text not null unique,
  ref_id uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index security_tokens_user on security_tokens (user_id, purpose);
