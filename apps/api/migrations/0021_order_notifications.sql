-- Notifications for what happens to orders (filled, triggered, canceled, expired, rejected), per-type preferences,
-- and the outbox that makes them durable (docs/decisions/0006-order-notifications-outbox.md).

-- One notification per (user, key) at most: an order's event is stored once, however often it is processed.
alter table notifications add column dedupe_key text;
create unique index notifications_dedupe on notifications (user_id, dedupe_key) where dedupe_key is not null;

-- What a user wants for each notification type; a missing row means the default (in-app on, email off).
create table notification_preferences (
  user_id uuid not null references users (id) on delete cascade,
  type text not null check (type in ('order_filled', 'order_triggered', 'order_canceled', 'order_expired', 'order_rejected')),
  in_app boolean not null,
  email boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, type)
);

-- The transactional outbox of order events. The trigger below writes a row in the same transaction as the change
-- of the order (a fill, a cancel, an expiry, a trigger), whichever code path made it, so the event cannot be lost
-- when the process stops between the commit and the notification; the notifications module processes each row
-- once (processed_at, claimed with SKIP LOCKED) and the notification's dedupe_key makes a second pass harmless.
-- `snapshot` is the order row as the change left it: the notifier reads it, never the orders table.
create table order_events (
  id bigint generated always as identity primary key,
  order_id uuid not null,
  user_id uuid not null references users (id) on delete cascade,
  event text not null check (event in ('filled', 'triggered', 'canceled', 'expired', 'rejected')),
  snapshot jsonb not null,
  created_at timestamptz not null default now(),
  processed_at timestamptz
);
create index order_events_pending on order_events (id) where processed_at is null;

-- Statuses become events; a trigger time that appears (an order type that rests after it triggers) is 'triggered'.
-- Read through to_jsonb so the trigger does not depend on which columns the orders table has.
create function order_events_capture() returns trigger language plpgsql as $$
declare
  was jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) else '{}'::jsonb end;
  now_ jsonb := to_jsonb(new);
  ev text;
begin
  if coalesce(was ->> 'status', '') is distinct from (now_ ->> 'status') then
    ev := case now_ ->> 'status'
      when 'closed' then 'filled'
      when 'canceled' then 'canceled'
      when 'expired' then 'expired'
      when 'rejected' then 'rejected'
      else null
    end;
    if ev is not null then
      insert into order_events (order_id, user_id, event, snapshot) values (new.id, new.user_id, ev, now_);
    end if;
  end if;
  if (now_ ->> 'triggered_at') is not null and (was ->> 'triggered_at') is null and (now_ ->> 'status') = 'open' then
    insert into order_events (order_id, user_id, event, snapshot) values (new.id, new.user_id, 'triggered', now_);
  end if;
  return null;
end;
$$;
create trigger orders_events after insert or update on orders for each row execute function order_events_capture();
