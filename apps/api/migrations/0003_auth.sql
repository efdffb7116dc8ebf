-- Sessions, refresh tokens, email verification codes, password reset tokens and the admin audit log.

-- One row per signed-in device. Access tokens carry the session id and are checked against this row on every
-- request, so revoking it ends the session at once rather than at token expiry.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user_active on sessions (user_id) where revoked_at is null;

-- Opaque refresh tokens, stored as SHA-256 hashes. Rotation marks the old row used; presenting a used token
-- again is reuse and revokes the whole session.
create table refresh_tokens (
  token_hash text primary key,
  session_id uuid not null references sessions (id) on delete cascade,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

-- The current 6-digit signup code per user (HMAC-hashed), with its own attempt budget.
create table email_verification_codes (
  user_id uuid primary key references users (id) on delete cascade,
  code_hash text not null,
  expires_at timestamptz not null,
  attempts integer not null default 0 check (attempts >= 0),
  created_at timestamptz not null default now()
);

-- Single-use password reset tokens (SHA-256 hashed; the raw token only travels in the email link).
create table password_reset_tokens (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_reset_tokens_user on password_reset_tokens (user_id);

-- Every administrative action: who, what, on which target, when, and the request that did it. Append-only.
create table audit_log (
  id bigint generated always as identity primary key,
  actor_id uuid references users (id) on delete set null,
  action text not null check (length(action) between 1 and 100),
  target_type text,
  target_id text,
  request_id text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_created_at on audit_log (created_at desc, id desc);
create index audit_log_actor on audit_log (actor_id, created_at desc);
create index audit_log_target on audit_log (target_type, target_id, created_at desc);
