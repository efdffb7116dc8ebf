-- Facts about this installation, and the one-time links that create its first administrator.

-- name → value. `data_key_fingerprint`: an HMAC of a constant under DATA_ENCRYPTION_KEY, recorded by the first
-- start, so a start with another key (a lost DATA_DIR/secrets.json, a changed variable) is refused with an
-- explanation instead of answering 500 to every 2FA sign-in.
create table instance_settings (
  name text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- Setup links (/setup?token=...) printed by a start with no administrator. Stored as SHA-256 of the token. The
-- TOTP secret offered to the browser is kept here (encrypted) until the form proves the authenticator has it.
create table setup_tokens (
  token_hash text primary key,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  totp_secret_enc text,
  created_user_id uuid references users (id) on delete set null
);
