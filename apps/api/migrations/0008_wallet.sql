-- Withdrawals (held, reviewed, settled) and transfers between users.

create table withdrawals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  asset text not null,
  amount numeric(38, 18) not null check (amount > 0),
  fee numeric(38, 18) not null check (fee >= 0),
  address text not null,
  network text not null,
  amount_usd numeric(38, 18) not null check (amount_usd >= 0),
  required_approvals smallint not null check (required_approvals between 1 and 2),
  status text not null default 'pending_review' check (status in ('pending_review', 'approved', 'completed', 'rejected', 'canceled')),
  tx_hash text,
  reject_reason text,
  decided_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint withdrawals_completed_has_hash check (status <> 'completed' or tx_hash is not null),
  constraint withdrawals_rejected_has_reason check (status <> 'rejected' or reject_reason is not null)
);
create index withdrawals_user_created on withdrawals (user_id, created_at desc, id desc);
create index withdrawals_status_created on withdrawals (status, created_at, id);

-- One row per admin and withdrawal: the same admin cannot approve twice (primary key).
create table withdrawal_approvals (
  withdrawal_id uuid not null references withdrawals (id),
  admin_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  primary key (withdrawal_id, admin_id)
);

create table transfers (
  id uuid primary key default gen_random_uuid(),
  sender_id uuid not null references users (id),
  recipient_id uuid not null references users (id),
  asset text not null,
  amount numeric(38, 18) not null check (amount > 0),
  note text,
  created_at timestamptz not null default now(),
  constraint transfers_not_to_self check (sender_id <> recipient_id)
);
create index transfers_sender on transfers (sender_id, created_at desc, id desc);
create index transfers_recipient on transfers (recipient_id, created_at desc, id desc);
