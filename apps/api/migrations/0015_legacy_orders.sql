-- Orders brought across from the original system (npm run import:legacy; docs/legacy-import.md): read-only history.
-- Not in `orders`: the trading engine loads every open row of that table at start and its status check has no
-- place for the original's `pending`. Nothing here is ever open (the check below), holds funds, or moves money;
-- GET /api/orders merges these rows into closed/all history, marked imported.
create table legacy_orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  -- The original's `id` (or `_id`): a second run adds nothing.
  source_id text not null unique,
  symbol text not null,
  side text not null check (side in ('buy', 'sell')),
  -- The contract's type and status the original's map to (see the docs); the original's own words beside them.
  type text not null check (type in ('market', 'limit', 'stop_loss', 'take_profit')),
  original_type text not null,
  status text not null check (status in ('closed', 'canceled', 'rejected', 'expired')),
  original_status text not null,
  time_in_force text not null default 'GTC' check (time_in_force in ('GTC', 'IOC', 'FOK')),
  -- Exact decimals of the stored doubles (shortest round-trip text), not rounded: history, not balances.
  price numeric(38, 18),
  trigger_price numeric(38, 18),
  amount numeric(38, 18) not null check (amount >= 0),
  filled numeric(38, 18) not null default 0 check (filled >= 0),
  cost numeric(38, 18) not null default 0 check (cost >= 0),
  average numeric(38, 18),
  fee_cost numeric(38, 18) not null default 0 check (fee_cost >= 0),
  fee_currency text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index legacy_orders_user_created on legacy_orders (user_id, created_at desc, id desc);
