-- Import from the original system's MongoDB (npm run import:legacy; docs/legacy-import.md).

-- Opening balances post against a platform migration-equity account per asset: user +x, migration_equity -x.
-- Like custody it is a counterpart outside the users' books, so it goes below zero.
alter table ledger_accounts drop constraint ledger_accounts_kind_check;
alter table ledger_accounts add constraint ledger_accounts_kind_check
  check (kind in ('user', 'custody', 'market', 'fee_revenue', 'migration_equity'));
alter table ledger_accounts drop constraint ledger_accounts_non_negative;
alter table ledger_accounts add constraint ledger_accounts_non_negative
  check (kind in ('custody', 'market', 'migration_equity') or (available >= 0 and locked >= 0));

-- One row per import run (dry runs write nothing, so they have none).
create table legacy_import_runs (
  id uuid primary key default gen_random_uuid(),
  source text not null,
  on_anomaly text not null check (on_anomaly in ('stop', 'review')),
  status text not null check (status in ('running', 'completed', 'interrupted', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  report jsonb not null default '{}'::jsonb
);

-- Idempotency: every source document imported, by collection and source id, and what it became. A document with a
-- row here is never imported again; a user's row commits in the same transaction as the user and their balances.
create table legacy_import_map (
  collection text not null,
  source_id text not null,
  target_id text not null,
  user_id uuid references users (id),
  run_id uuid not null references legacy_import_runs (id),
  imported_at timestamptz not null default now(),
  primary key (collection, source_id)
);
create index legacy_import_map_user on legacy_import_map (user_id);

-- Documents held back for an operator (negative/NaN/infinite balance, duplicate email, ...). A later run that
-- imports the document marks its entries resolved.
create table legacy_import_review (
  collection text not null,
  source_id text not null,
  reason text not null,
  detail text not null,
  run_id uuid not null references legacy_import_runs (id),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  resolved_at timestamptz,
  primary key (collection, source_id, reason)
);
