-- Operator roles and maker-checker balance adjustments (issue 21).
--
-- users.operator_roles: the roles an operator holds (support, compliance, finance, superadmin; several allowed).
-- users.role stays the "is an operator" flag and is kept equal to "holds at least one role" by the trigger below:
-- granting a role makes the account an operator ('admin'), revoking the last one makes it a user again. Setting
-- role = 'admin' directly (the first-run setup, `npm run admin:create`, older tests) without roles grants superadmin,
-- which is what 'admin' meant before roles existed; setting role = 'user' clears the roles.
alter table users add column operator_roles text[] not null default '{}';
alter table users add constraint users_operator_roles_known
  check (operator_roles <@ array['support', 'compliance', 'finance', 'superadmin']::text[]);

-- Existing administrators keep every right they had.
update users set operator_roles = '{superadmin}' where role = 'admin';

create function users_operator_roles_sync() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.role is distinct from old.role and new.operator_roles is not distinct from old.operator_roles then
    -- The flag was changed on its own: the roles follow it.
    new.operator_roles := case when new.role = 'admin' then array['superadmin']::text[] else array[]::text[] end;
  elsif cardinality(new.operator_roles) > 0 then
    new.role := 'admin';
  elsif tg_op = 'INSERT' and new.role = 'admin' then
    new.operator_roles := array['superadmin']::text[];
  else
    new.role := 'user';
  end if;
  -- Sorted and without duplicates, so that equality means the same set.
  new.operator_roles := array(select distinct r from unnest(new.operator_roles) as r order by r);
  return new;
end;
$$;
create trigger users_operator_roles_sync before insert or update of role, operator_roles on users
  for each row execute function users_operator_roles_sync();
create index users_operators on users (id) where role = 'admin';

-- Maker-checker adjustments: a finance operator proposes, a DIFFERENT finance operator approves (posting one
-- balanced ledger entry user <-> the platform's `adjustments` account) or rejects. Rows are never deleted.
alter table ledger_accounts drop constraint ledger_accounts_kind_check;
alter table ledger_accounts add constraint ledger_accounts_kind_check
  check (kind in ('user', 'custody', 'market', 'fee_revenue', 'migration_equity', 'adjustments'));
alter table ledger_accounts drop constraint ledger_accounts_non_negative;
-- The adjustments account is the counterpart of corrections: it goes negative when more was credited than debited.
alter table ledger_accounts add constraint ledger_accounts_non_negative
  check (kind in ('custody', 'market', 'migration_equity', 'adjustments') or (available >= 0 and locked >= 0));

create table balance_adjustments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  asset text not null,
  -- Signed: positive credits the user's available balance, negative debits it.
  amount numeric(38, 18) not null check (amount <> 0),
  reason text not null,
  evidence text not null,
  status text not null default 'pending' check (status in ('pending', 'posted', 'rejected')),
  proposed_by uuid not null references users (id),
  proposed_at timestamptz not null default now(),
  decided_by uuid references users (id),
  decided_at timestamptz,
  reject_reason text,
  entry_id bigint references journal_entries (id),
  -- Nobody decides their own proposal, whatever the code does.
  constraint balance_adjustments_four_eyes check (decided_by is null or decided_by <> proposed_by),
  constraint balance_adjustments_decided check ((status = 'pending') = (decided_by is null and decided_at is null)),
  constraint balance_adjustments_posted check ((status = 'posted') = (entry_id is not null)),
  constraint balance_adjustments_rejected check ((status = 'rejected') = (reject_reason is not null))
);
create index balance_adjustments_status on balance_adjustments (status, proposed_at, id);
create unique index balance_adjustments_entry on balance_adjustments (entry_id) where entry_id is not null;
