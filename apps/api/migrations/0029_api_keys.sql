-- API keys (issue 22, docs/api-keys.md): a user's keys for signed requests. The secret is kept encrypted
-- (AES-256-GCM under a key derived from DATA_ENCRYPTION_KEY): the server needs it to check each request's HMAC.
-- Keys are never deleted: a revoked key stays listed (and attributable in the audit log) with revoked_at set.

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  label text not null check (char_length(label) between 1 and 60),
  scopes text[] not null check (cardinality(scopes) >= 1 and scopes <@ array['read', 'trade']::text[]),
  ip_allowlist text[] not null default '{}',
  secret_enc text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text,
  revoked_at timestamptz,
  revoked_reason text
);

create index api_keys_user_idx on api_keys (user_id, created_at desc);
