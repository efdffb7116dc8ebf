-- Price alerts, in-app notifications and announcements.

create table price_alerts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  asset_id text not null,
  condition text not null check (condition in ('above', 'below')),
  target_price numeric(38, 18) not null check (target_price > 0),
  channels text[] not null default '{in_app}',
  repeat boolean not null default false,
  cooldown_seconds integer not null default 3600 check (cooldown_seconds >= 0),
  active boolean not null default true,
  -- A repeating alert that fired sleeps until then.
  next_eligible_at timestamptz,
  trigger_count integer not null default 0,
  last_triggered_at timestamptz,
  last_triggered_price numeric(38, 18),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index price_alerts_user on price_alerts (user_id, created_at desc);
-- Sorted thresholds: a tick reads only the range of targets its price has crossed.
create index price_alerts_live on price_alerts (asset_id, condition, target_price) where active;

create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  type text not null,
  title text not null,
  body text not null,
  data jsonb not null default '{}',
  read_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_user_created on notifications (user_id, created_at desc, id desc);
create index notifications_user_unread on notifications (user_id) where read_at is null;

create table announcements (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  message text not null,
  level text not null check (level in ('info', 'warning', 'critical')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
