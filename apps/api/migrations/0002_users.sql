-- Accounts. Emails are stored normalised (trimmed, lower-cased) and unique.
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(btrim(email)) and length(email) between 3 and 254),
  name text not null check (length(name) between 1 and 100),
  password_hash text not null,
  role text not null default 'user' check (role in ('user', 'admin')),
  email_verified_at timestamptz,
  -- TOTP secret encrypted with a key derived from DATA_ENCRYPTION_KEY (AES-256-GCM, base64url iv.tag.ciphertext).
  totp_secret_enc text,
  totp_enabled_at timestamptz,
  -- Last accepted TOTP time step: a code cannot be used twice.
  totp_last_step bigint,
  -- argon2id/sha256 hashes of single-use backup codes.
  backup_code_hashes text[] not null default '{}',
  suspended_at timestamptz,
  failed_login_count integer not null default 0 check (failed_login_count >= 0),
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index users_created_at on users (created_at);
