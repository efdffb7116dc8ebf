-- Proof of liabilities (docs/proof-of-liabilities.md). The pol module (apps/api/src/modules/pol) is the only writer.
--
-- pol_roots: the published, signed root of every snapshot, numbered (seq) and chained (previous_hash is the SHA-256
-- of the previous record's signed message). Append-only, enforced below: a rewrite would also break the chain and
-- the signatures anyone kept.
create table pol_roots (
  seq bigint primary key check (seq >= 1),
  snapshot_id uuid not null unique,
  created_at timestamptz not null,
  trigger text not null check (trigger in ('schedule', 'operator')),
  requested_by uuid references users (id) on delete set null,
  leaf_count integer not null check (leaf_count >= 0),
  depth smallint not null check (depth between 0 and 64),
  -- [{ "symbol": "BTC", "decimals": 18 }, ...] in the order of every sum vector of the tree.
  assets jsonb not null,
  root_hash text not null check (root_hash ~ '^[0-9a-f]{64}$'),
  -- Per asset, the root's sum in smallest units (integer strings), aligned with assets.
  root_sums jsonb not null,
  previous_hash text check (previous_hash ~ '^[0-9a-f]{64}$'),
  message text not null,
  signature text not null,
  public_key text not null,
  published_at timestamptz not null default now(),
  constraint pol_roots_chain check ((seq = 1) = (previous_hash is null))
);

-- Leaves in tree order (idx = rank of the leaf hash): the account, its secret salt and its balances in units.
create table pol_leaves (
  snapshot_id uuid not null references pol_roots (snapshot_id) deferrable initially deferred,
  idx integer not null,
  user_id uuid not null,
  salt text not null,
  hash text not null,
  sums text not null,
  primary key (snapshot_id, idx)
);
create unique index pol_leaves_user on pol_leaves (snapshot_id, user_id);

-- Inner nodes (height >= 1); the root is the single node at the tree's depth.
create table pol_nodes (
  snapshot_id uuid not null references pol_roots (snapshot_id) deferrable initially deferred,
  height smallint not null check (height >= 1),
  idx integer not null,
  hash text not null,
  sums text not null,
  primary key (snapshot_id, height, idx)
);

-- Reserves as declared by an operator: what the platform says it holds, per asset and address. Not proven.
create table pol_reserves (
  id uuid primary key default gen_random_uuid(),
  asset text not null check (asset ~ '^[A-Z0-9]{2,10}$'),
  chain text not null check (length(chain) between 1 and 40),
  address text not null check (length(address) between 1 and 200),
  balance numeric(38, 18) not null check (balance >= 0),
  -- A message signed by the address's key, where the chain allows, and its signature, as the operator gave them.
  message text check (length(message) <= 2000),
  signature text check (length(signature) <= 2000),
  note text check (length(note) <= 500),
  recorded_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index pol_reserves_asset on pol_reserves (asset, created_at desc);

-- The development signing key (production and staging take PROOF_SIGNING_KEY from the environment).
create table pol_signing_keys (
  id smallint primary key check (id = 1),
  seed text not null,
  public_key text not null,
  created_at timestamptz not null default now()
);

create function pol_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'proof-of-liabilities history is append-only (% on %)', tg_op, tg_table_name using errcode = '42501';
end;
$$;
create trigger pol_roots_append_only before update or delete or truncate on pol_roots
  for each statement execute function pol_append_only();
create trigger pol_leaves_append_only before update or delete or truncate on pol_leaves
  for each statement execute function pol_append_only();
create trigger pol_nodes_append_only before update or delete or truncate on pol_nodes
  for each statement execute function pol_append_only();
create trigger pol_reserves_append_only before update or delete or truncate on pol_reserves
  for each statement execute function pol_append_only();
