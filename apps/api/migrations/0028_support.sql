-- Support (issue 21): the public contact form and signed-in support tickets with threaded replies between the user
-- and operators, internal notes visible to operators only, and attachments kept in the document store.

-- One ticket. source 'account': opened by a signed-in user (user_id set); 'contact': the public contact form
-- (contact_name / contact_email as typed, user_id null: an address typed into a form proves nothing about an
-- account, so it is never linked to one). status:
--   open            waiting on an operator (new, or the user wrote last)
--   waiting_on_user an operator asked the user something
--   answered        an operator answered; the user may still reply (back to open) or close it
--   closed          done; nobody writes to it any more
-- waiting_since: when the oldest user message that no operator has answered yet arrived (null when nothing waits):
-- the operator queue is ordered by it, oldest first.
create table support_tickets (
  id uuid primary key default gen_random_uuid(),
  number bigint generated always as identity unique,
  source text not null check (source in ('account', 'contact')),
  user_id uuid references users (id),
  contact_name text check (contact_name is null or length(contact_name) between 1 and 100),
  contact_email text check (contact_email is null or length(contact_email) between 3 and 254),
  category text not null check (category in ('account', 'deposits', 'withdrawals', 'trading', 'security', 'other')),
  subject text not null check (length(subject) between 1 and 150),
  status text not null default 'open' check (status in ('open', 'waiting_on_user', 'answered', 'closed')),
  assigned_to uuid references users (id),
  waiting_since timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  closed_by uuid references users (id),
  check ((source = 'account' and user_id is not null) or (source = 'contact' and user_id is null and contact_email is not null))
);
create index support_tickets_user on support_tickets (user_id, updated_at desc) where user_id is not null;
create index support_tickets_queue on support_tickets (status, waiting_since, created_at);

-- One message of a thread. author 'user' (the ticket's owner or the contact form's sender, author_id null for
-- the latter) or 'operator' (author_id the operator). internal: an operator's note, never shown or emailed to the
-- user.
create table support_messages (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references support_tickets (id) on delete cascade,
  author text not null check (author in ('user', 'operator')),
  author_id uuid references users (id),
  internal boolean not null default false,
  body text not null check (length(body) between 1 and 5000),
  created_at timestamptz not null default now(),
  check (not internal or author = 'operator')
);
create index support_messages_ticket on support_messages (ticket_id, created_at);

-- A file attached by the ticket's owner, kept in the document store (documents, purpose 'support': type checked by
-- its bytes, encrypted, opened only through short-lived signed links). Uploaded first (ticket_id and message_id
-- null), then linked to the message that sends it; an upload never linked is deleted by the store's retention.
create table support_attachments (
  document_id uuid primary key references documents (id),
  uploaded_by uuid not null references users (id),
  ticket_id uuid references support_tickets (id) on delete cascade,
  message_id uuid references support_messages (id) on delete cascade,
  -- Copied from the document at upload, so a thread lists its files without reading the store.
  content_type text not null,
  size_bytes integer not null,
  created_at timestamptz not null default now(),
  check ((ticket_id is null) = (message_id is null))
);
create index support_attachments_message on support_attachments (message_id) where message_id is not null;
create index support_attachments_uploader on support_attachments (uploaded_by, created_at desc);
