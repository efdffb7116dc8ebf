-- Advanced orders (issue 20): stop-limit, trailing stop, OCO pairs, good-till-date, amend (cancel-and-replace).
alter table orders drop constraint orders_type_check;
alter table orders add constraint orders_type_check
  check (type in ('market', 'limit', 'stop_loss', 'take_profit', 'stop_limit', 'trailing_stop'));
alter table orders drop constraint orders_time_in_force_check;
alter table orders add constraint orders_time_in_force_check check (time_in_force in ('GTC', 'IOC', 'FOK', 'GTD'));
alter table orders
  -- GTD: the engine's leader expires the order (and releases its hold) at this time; set exactly for GTD.
  add column expires_at timestamptz,
  -- stop_limit: when its trigger fired; from then on it rests as a limit order at `price`.
  add column triggered_at timestamptz,
  -- trailing_stop: the trail (one of the two), and the best price since placement (highest for a sell, lowest for
  -- a buy), kept current by the engine so the trigger survives a restart; `trigger_price` is the current level.
  add column trail_amount numeric(38, 18) check (trail_amount > 0),
  add column trail_percent numeric(38, 18) check (trail_percent > 0 and trail_percent < 100),
  add column trail_ref numeric(38, 18),
  -- OCO: the other order of the pair. The pair's hold is on one of the two (held once); whatever closes one leg
  -- closes the other in the same transaction and releases what the pair holds.
  add column linked_order_id uuid,
  -- amend: the order this one replaced (canceled in the same transaction).
  add column replaces_order_id uuid,
  add constraint orders_gtd_expires check ((time_in_force = 'GTD') = (expires_at is not null)),
  add constraint orders_trailing_has_trail check (
    (type = 'trailing_stop') = (trail_ref is not null) and (type <> 'trailing_stop' or (trail_amount is null) <> (trail_percent is null))
  );
create index orders_expiring on orders (expires_at) where status = 'open' and expires_at is not null;
