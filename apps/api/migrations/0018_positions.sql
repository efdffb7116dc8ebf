-- Positions: each user's quantity bought and its cost basis per asset (average-cost method, fees included), kept
-- as fills post instead of recomputed from every fill on each portfolio read. Maintained by the database itself:
-- a trigger on orders applies every increase of `filled` in the transaction that writes it (the ledger writer's
-- batches, the engine's fills, the legacy import), so no write path can forget it.
create table positions (
  user_id uuid not null,
  asset text not null,
  qty numeric(38, 18) not null default 0 check (qty >= 0),
  basis numeric(38, 18) not null default 0,
  primary key (user_id, asset)
);

-- One fill of `d_qty` at `d_cost` (quote spent or received plus fee): a buy adds both; a sell removes the sold share
-- of the basis at the running average (never more than is held: a sell of coins that were deposited, not bought,
-- reduces the position only down to zero).
create function position_apply(p_user uuid, p_asset text, p_side text, d_qty numeric, d_cost numeric) returns void
language plpgsql as $$
begin
  if d_qty <= 0 then
    return;
  end if;
  if p_side = 'buy' then
    insert into positions as p (user_id, asset, qty, basis) values (p_user, p_asset, d_qty, d_cost)
    on conflict (user_id, asset) do update set qty = p.qty + excluded.qty, basis = p.basis + excluded.basis;
  else
    update positions
      set basis = basis - basis * least(d_qty, qty) / qty, qty = qty - least(d_qty, qty)
      where user_id = p_user and asset = p_asset and qty > 0;
  end if;
end;
$$;

create function orders_apply_fill() returns trigger language plpgsql as $$
declare
  prev_filled numeric := 0;
  prev_cost numeric := 0;
  prev_fee numeric := 0;
begin
  if tg_op = 'UPDATE' then
    prev_filled := old.filled;
    prev_cost := old.cost;
    prev_fee := old.fee_cost;
  end if;
  if new.filled > prev_filled then
    perform position_apply(
      new.user_id, new.base, new.side, new.filled - prev_filled,
      case when new.side = 'buy' then (new.cost - prev_cost) + (new.fee_cost - prev_fee) else 0 end
    );
  end if;
  return null;
end;
$$;

create trigger orders_positions after insert or update of filled on orders
  for each row execute function orders_apply_fill();

-- The fills already recorded, in execution order.
do $$
declare
  r record;
begin
  for r in select user_id, base, side, filled, cost, fee_cost from orders where filled > 0 order by updated_at, id loop
    perform position_apply(r.user_id, r.base, r.side, r.filled, case when r.side = 'buy' then r.cost + r.fee_cost else 0 end);
  end loop;
end;
$$;
