-- Deposits credited in the coin paid (issue 20): `credit_asset` is the balance a deposit credits (USD, as every
-- deposit before, or the coin's asset symbol) and `credited_amount` what was credited in it, set once with
-- `credited_at`. `credited_usd` stays the USD credited and is null for a deposit credited in its coin.
alter table deposits add column credit_asset text not null default 'USD' check (credit_asset ~ '^[A-Z0-9]{2,10}$');
alter table deposits add column credited_amount numeric(38, 18) check (credited_amount > 0);
update deposits set credited_amount = credited_usd where credited_usd is not null;
alter table deposits drop constraint deposits_credit_once;
alter table deposits add constraint deposits_credit_once check ((credited_at is null) = (credited_amount is null));
alter table deposits add constraint deposits_credited_usd_only_usd check (credited_usd is null or credit_asset = 'USD');
