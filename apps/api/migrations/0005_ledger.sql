-- Double-entry ledger. The ledger module (apps/api/src/modules/ledger) is the only writer of these tables.
--
-- Accounts: one per user and asset (kind 'user'), plus platform accounts per asset:
--   custody      counterpart of deposits and withdrawals (what the platform holds outside the books); negative
--                 when users hold more than was withdrawn, so it may go below zero;
--   market       the platform's trading counterparty (it buys and sells at the server's price); may go below zero;
--   fee_revenue  trading and withdrawal fees; never negative.
-- Hot platform accounts are split into shards (`shard`) so concurrent orders do not queue on one row.
create table ledger_accounts (
  id bigint generated always as identity primary key,
  -- 'user:<uuid>:<ASSET>' or '<kind>:<ASSET>:<shard>': the fixed order in which rows are locked.
  key text not null unique,
  kind text not null check (kind in ('user', 'custody', 'market', 'fee_revenue')),
  user_id uuid references users (id),
  asset text not null check (asset ~ '^[A-Z0-9]{2,10}$'),
  shard smallint not null default 0 check (shard >= 0),
  available numeric(38, 18) not null default 0,
  locked numeric(38, 18) not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint ledger_accounts_owner check ((kind = 'user') = (user_id is not null)),
  -- Users' money and revenue can never go below zero, whatever the code does.
  constraint ledger_accounts_non_negative check (kind in ('custody', 'market') or (available >= 0 and locked >= 0))
);
create index ledger_accounts_user on ledger_accounts (user_id) where user_id is not null;
create index ledger_accounts_asset on ledger_accounts (asset);

-- Journal entries: append-only. Types: deposit, withdrawal, trade, transfer, hold, release, adjustment
-- (see ledger.types.ts). `reference` points at the business object, e.g. 'order:<uuid>'.
create table journal_entries (
  id bigint generated always as identity primary key,
  type text not null check (type in ('deposit', 'withdrawal', 'trade', 'transfer', 'hold', 'release', 'fee', 'adjustment')),
  reference text,
  user_id uuid references users (id),
  memo jsonb,
  created_at timestamptz not null default now()
);
create index journal_entries_reference on journal_entries (reference);

-- Postings: signed amounts on one bucket (available/locked) of one account. Per entry and asset they sum to zero.
-- `leg` is what the movement means to its owner (trade, fee, deposit, transfer_in, ...): the transaction history.
create table journal_postings (
  id bigint generated always as identity primary key,
  entry_id bigint not null references journal_entries (id),
  account_id bigint not null references ledger_accounts (id),
  user_id uuid,
  asset text not null,
  bucket text not null check (bucket in ('available', 'locked')),
  leg text not null,
  amount numeric(38, 18) not null check (amount <> 0),
  created_at timestamptz not null default now()
);
create index journal_postings_entry on journal_postings (entry_id);
create index journal_postings_account on journal_postings (account_id);
create index journal_postings_user on journal_postings (user_id, entry_id) where user_id is not null;

-- Append-only, enforced by the database: corrections are new entries.
create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'journal tables are append-only (% on %)', tg_op, tg_table_name using errcode = '42501';
end;
$$;
create trigger journal_entries_append_only before update or delete or truncate on journal_entries
  for each statement execute function ledger_append_only();
create trigger journal_postings_append_only before update or delete or truncate on journal_postings
  for each statement execute function ledger_append_only();
