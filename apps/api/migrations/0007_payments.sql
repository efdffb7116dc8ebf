-- Deposits through NOWPayments (or the simulated provider in embedded mode) and the raw callback inbox.

create table deposits (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  provider text not null check (provider in ('nowpayments', 'simulated')),
  provider_payment_id text not null,
  status text not null check (status in ('waiting', 'confirming', 'confirmed', 'sending', 'partially_paid', 'finished', 'failed', 'refunded', 'expired')),
  amount_usd numeric(38, 18) not null check (amount_usd > 0),
  pay_currency text not null,
  pay_amount numeric(38, 18),
  pay_address text,
  actually_paid numeric(38, 18),
  expires_at timestamptz,
  -- Set exactly once, in the transaction that posts the ledger credit.
  credited_usd numeric(38, 18) check (credited_usd > 0),
  credited_at timestamptz,
  -- Operator review queue: partially paid, refunded or otherwise odd deposits.
  review text check (review in ('pending', 'resolved')),
  review_reason text,
  review_note text,
  last_polled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, provider_payment_id),
  constraint deposits_credit_once check ((credited_at is null) = (credited_usd is null))
);
create index deposits_user_created on deposits (user_id, created_at desc, id desc);
create index deposits_open on deposits (updated_at) where status in ('waiting', 'confirming', 'confirmed', 'sending');
create index deposits_review on deposits (created_at) where review = 'pending';

-- Every status a deposit has reached, once: (deposit, status) is the idempotency key of callbacks.
create table deposit_status_history (
  deposit_id uuid not null references deposits (id),
  status text not null,
  source text not null check (source in ('create', 'ipn', 'poll', 'expiry', 'operator')),
  created_at timestamptz not null default now(),
  primary key (deposit_id, status)
);

-- Raw payment callbacks, stored before anything else is done with them.
create table payment_webhook_inbox (
  id bigint generated always as identity primary key,
  provider text not null,
  received_at timestamptz not null default now(),
  signature_valid boolean,
  raw_body text not null,
  payment_id text,
  payment_status text,
  -- pending → processed | duplicate | stale | unknown_payment | invalid_signature | invalid_body | error
  outcome text not null default 'pending',
  error text,
  processed_at timestamptz
);
create index payment_webhook_inbox_pending on payment_webhook_inbox (received_at) where outcome = 'pending';
create index payment_webhook_inbox_payment on payment_webhook_inbox (payment_id);
