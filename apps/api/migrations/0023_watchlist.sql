-- Watchlist: the assets a user starred, one row per (user, asset). Adding twice or removing an absent star is a no-op.

create table watchlist_items (
  user_id uuid not null references users (id),
  asset_id text not null,
  created_at timestamptz not null default now(),
  primary key (user_id, asset_id)
);
