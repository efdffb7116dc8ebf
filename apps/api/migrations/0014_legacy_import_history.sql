-- History brought across from the original system (npm run import:legacy): read-only rows, shown with the ledger's
-- history (GET /api/transactions and its export) marked imported. The ledger does not see them: they moved no money
-- here (the opening balances of 0014_legacy_import.sql did).
create table legacy_history (
  id bigint generated always as identity primary key,
  user_id uuid not null references users (id),
  collection text not null,
  source_id text not null,
  -- The history's types (deposit, withdrawal, trade, fee, transfer_in, transfer_out, adjustment).
  type text not null check (type in ('deposit', 'withdrawal', 'trade', 'fee', 'transfer_in', 'transfer_out', 'adjustment')),
  asset text not null,
  -- Signed as the original stored it; null when the original's value was not a finite number.
  amount numeric(38, 18),
  reference text,
  description text,
  occurred_at timestamptz not null,
  unique (collection, source_id, user_id)
);
create index legacy_history_user on legacy_history (user_id, id desc);
