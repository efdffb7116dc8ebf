-- Recurring buys (issue 22): a USD amount of an asset bought daily, weekly or monthly at a time of day (UTC), and the
-- record of each run. One scheduler runs per platform (leader election in Redis, as the trading engine); a fencing
-- token in the database (scheduler_leases.epoch, bumped at each election) stops a deposed leader from claiming runs.

create table recurring_buys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  asset_id text not null,
  quote_amount numeric(38, 18) not null check (quote_amount > 0),
  frequency text not null check (frequency in ('daily', 'weekly', 'monthly')),
  -- 'HH:MM', UTC.
  time_of_day text not null check (time_of_day ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  weekday smallint check (weekday between 0 and 6),
  day_of_month smallint check (day_of_month between 1 and 31),
  status text not null default 'active' check (status in ('active', 'paused', 'deleted')),
  -- The next run time; null unless active.
  next_run_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((frequency = 'weekly') = (weekday is not null)),
  check ((frequency = 'monthly') = (day_of_month is not null)),
  check ((status = 'active') = (next_run_at is not null))
);
create index recurring_buys_due on recurring_buys (next_run_at) where status = 'active';
create index recurring_buys_user on recurring_buys (user_id, created_at) where status <> 'deleted';

-- One row per (schedule, period): the claim of a run, then its outcome. The unique pair makes a second executor's
-- claim of the same period fail; `fencing_token` is the claiming leader's epoch; `idempotency_key` is the order's
-- Idempotency-Key (scope 'orders'), whose record answers whether the order happened.
create table recurring_buy_runs (
  id uuid primary key default gen_random_uuid(),
  schedule_id uuid not null references recurring_buys (id),
  user_id uuid not null references users (id),
  -- The calendar period: 'D2026-12-04' (daily), 'W2026-11-30' (weekly: the week's Monday), 'M2026-12' (monthly).
  period text not null,
  scheduled_for timestamptz not null,
  asset_id text not null,
  symbol text not null,
  quote_amount numeric(38, 18) not null,
  idempotency_key text not null,
  fencing_token bigint not null,
  status text not null default 'pending' check (status in ('pending', 'filled', 'skipped')),
  order_id uuid,
  amount numeric(38, 18),
  price numeric(38, 18),
  reason_code text,
  reason text,
  claimed_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (schedule_id, period)
);
create index recurring_buy_runs_schedule on recurring_buy_runs (schedule_id, period desc);
create index recurring_buy_runs_pending on recurring_buy_runs (claimed_at) where status = 'pending';

-- Fencing tokens of the platform's singleton jobs: `epoch` grows by one at every election of `name`'s leader.
create table scheduler_leases (
  name text primary key,
  epoch bigint not null,
  holder text not null,
  elected_at timestamptz not null default now()
);
