-- The transaction that paid a deposit, as the payment provider reports it (NOWPayments' `payin_hash`): the deposit
-- lists link it to the network's block explorer (issue 20). Null until the provider has seen the payment.
alter table deposits add column payin_hash text;
