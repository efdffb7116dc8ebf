-- Platform tables shared by every module.

-- Idempotency-Key records for POST /api/orders, /api/wallet/{withdrawals,transfers,deposits}.
create table idempotency_keys (
  user_id uuid not null,
  scope text not null,
  key text not null,
  request_hash text not null,
  response_status integer not null,
  response_body jsonb not null,
  created_at timestamptz not null default now(),
  primary key (user_id, scope, key)
);
create index idempotency_keys_created_at on idempotency_keys (created_at);
