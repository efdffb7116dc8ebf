-- Unsigned payment callbacks are no longer kept whole and forever: the inbox keeps the first bytes of a body whose
-- signature did not verify, with its full size and digest, and the payments maintenance prunes those rows after a
-- retention period. Signed callbacks are stored whole, as before.
alter table payment_webhook_inbox add column body_bytes integer;
alter table payment_webhook_inbox add column body_sha256 text;
create index payment_webhook_inbox_unsigned on payment_webhook_inbox (received_at) where signature_valid is not true;
