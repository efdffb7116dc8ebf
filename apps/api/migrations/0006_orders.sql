-- Orders (CCXT-style). Fills are all-or-nothing against the platform at the server's price.
-- `held_asset` / `held` is what the order still keeps locked in the owner's ledger account: cancel releases
-- exactly that, and a fill releases it in the same transaction that settles the trade.
create table orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  client_order_id text check (length(client_order_id) between 1 and 64),
  symbol text not null,
  base text not null,
  quote text not null,
  side text not null check (side in ('buy', 'sell')),
  type text not null check (type in ('market', 'limit', 'stop_loss', 'take_profit')),
  status text not null check (status in ('open', 'closed', 'canceled', 'rejected', 'expired')),
  time_in_force text not null default 'GTC' check (time_in_force in ('GTC', 'IOC', 'FOK')),
  price numeric(38, 18) check (price > 0),
  trigger_price numeric(38, 18) check (trigger_price > 0),
  amount numeric(38, 18) not null check (amount >= 0),
  quote_amount numeric(38, 18) check (quote_amount > 0),
  filled numeric(38, 18) not null default 0 check (filled >= 0),
  cost numeric(38, 18) not null default 0 check (cost >= 0),
  average numeric(38, 18),
  fee_cost numeric(38, 18) not null default 0 check (fee_cost >= 0),
  fee_currency text not null,
  fee_rate numeric(38, 18) not null,
  held_asset text not null,
  held numeric(38, 18) not null default 0 check (held >= 0),
  reject_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- open orders hold funds; nothing else does
  constraint orders_held_only_when_open check (status = 'open' or held = 0)
);
create unique index orders_client_order_id on orders (user_id, client_order_id) where client_order_id is not null;
create index orders_user_created on orders (user_id, created_at desc, id desc);
create index orders_open on orders (symbol) where status = 'open';
create index orders_user_fills on orders (user_id, updated_at) where filled > 0;
