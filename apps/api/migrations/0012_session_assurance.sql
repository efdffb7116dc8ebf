-- Session assurance: how each session was authenticated, when it last stepped up, and an absolute end that
-- refresh never moves. Plus the "contested" mark on a pending signup (two sign-ups with different passwords).

-- auth_methods: what the sign-in proved ('password', 'email_code', 'totp', 'backup_code'), grown by step-ups.
-- second_factor_at: when this session (not the account) last passed a second factor; admin rights need it.
-- step_up_at / step_up_methods: the latest step-up (or sign-in) on this session, for sensitive actions.
-- absolute_expires_at: SESSION_MAX_LIFETIME_DAYS after creation; expires_at never passes it.
alter table sessions
  add column auth_methods text[] not null default '{password}',
  add column second_factor_at timestamptz,
  add column step_up_at timestamptz,
  add column step_up_methods text[] not null default '{}',
  add column absolute_expires_at timestamptz;
update sessions set absolute_expires_at = created_at + interval '30 days' where absolute_expires_at is null;
alter table sessions alter column absolute_expires_at set not null;
alter table sessions add constraint sessions_expiry_within_absolute check (expires_at <= absolute_expires_at);

-- A second sign-up for a still unverified address with a different password keeps the first password and marks
-- the code contested: verifying it then proves the address but applies no password (a reset link is sent).
alter table email_verification_codes add column contested boolean not null default false;
