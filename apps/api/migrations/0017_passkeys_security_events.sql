-- Passkeys (WebAuthn) as a second factor and for step-up, their one-time challenges, and each user's own record of
-- security events (sign-ins and factor changes) for the Security page.

-- One row per registered credential. credential_id and public_key are base64url (the public key is COSE-encoded,
-- as the authenticator gave it); counter is the authenticator's signature counter, which must grow (a clone that
-- answers with an older counter is refused).
create table passkeys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  credential_id text not null unique check (length(credential_id) between 1 and 1400),
  public_key text not null,
  counter bigint not null default 0 check (counter >= 0),
  transports text[] not null default '{}',
  device_type text not null check (device_type in ('singleDevice', 'multiDevice')),
  backed_up boolean not null default false,
  name text not null check (length(name) between 1 and 64),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index passkeys_user on passkeys (user_id, created_at);

-- Challenges the server handed out, each usable once (deleted when used) and only until expires_at. A
-- registration or step-up challenge belongs to the session that asked for it; a sign-in challenge (given out only
-- after the right password) to the user.
create table webauthn_challenges (
  challenge text primary key,
  user_id uuid not null references users (id) on delete cascade,
  session_id uuid references sessions (id) on delete cascade,
  purpose text not null check (purpose in ('register', 'sign_in', 'step_up')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index webauthn_challenges_user on webauthn_challenges (user_id);
create index webauthn_challenges_expires on webauthn_challenges (expires_at);

-- What happened to an account's security, for its owner: sign-ins (with the methods they proved) and changes of
-- password, second factors, passkeys and backup codes. Append-only from the application's side.
create table security_events (
  id bigint generated always as identity primary key,
  user_id uuid not null references users (id) on delete cascade,
  kind text not null check (length(kind) between 1 and 64),
  ip text,
  user_agent text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index security_events_user on security_events (user_id, created_at desc, id desc);
