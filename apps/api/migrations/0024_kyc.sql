-- KYC (issue 21): the document store's index, each user's verification tier, the submissions operators review,
-- and the USD value of every deposit, withdrawal and transfer counted against the tier's limits.

-- Documents kept by the document store (apps/api/src/platform/documents): the bytes live encrypted in object storage
-- or a directory under `storage_key`; this row says whose they are, what they are and when they must be deleted.
create table documents (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid references users (id),
  purpose text not null check (purpose ~ '^[a-z][a-z0-9_-]{1,31}$'),
  storage_key text not null unique,
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'application/pdf')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null,
  created_at timestamptz not null default now(),
  delete_after timestamptz not null,
  deleted_at timestamptz
);
create index documents_owner on documents (owner_id, created_at desc);
create index documents_due on documents (delete_after) where deleted_at is null;

-- A user's approved tier (0 when there is no row: email verified).
create table kyc_profiles (
  user_id uuid primary key references users (id),
  tier smallint not null check (tier between 0 and 2),
  updated_at timestamptz not null default now()
);

-- What a user sent for review. One open submission (pending or needs_info) per user; an answer to "needs more
-- information" updates it and puts it back to pending. Only an operator other than the user decides.
create table kyc_submissions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  tier smallint not null check (tier in (1, 2)),
  status text not null default 'pending' check (status in ('pending', 'needs_info', 'approved', 'rejected')),
  -- Tier 1: legal name, date of birth, country (ISO 3166-1 alpha-2), address.
  details jsonb not null default '{}',
  -- Tier 2: the identity document and the selfie (documents of purpose 'kyc' owned by the user).
  document_type text check (document_type in ('passport', 'id_card', 'driving_licence')),
  document_id uuid references documents (id),
  selfie_id uuid references documents (id),
  -- The reviewer's words: the reason of a rejection, or what more is needed.
  reason text,
  reviewer_id uuid references users (id),
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint kyc_submissions_tier2_files check (tier = 1 or (document_id is not null and selfie_id is not null and document_type is not null)),
  constraint kyc_submissions_reason check (status not in ('rejected', 'needs_info') or reason is not null),
  constraint kyc_submissions_not_own check (reviewer_id is null or reviewer_id <> user_id)
);
create unique index kyc_submissions_one_open on kyc_submissions (user_id) where status in ('pending', 'needs_info');
create index kyc_submissions_queue on kyc_submissions (status, created_at);
create index kyc_submissions_user on kyc_submissions (user_id, created_at desc);

-- USD value, at the time of the movement, of each deposit, withdrawal and transfer counted against the limits.
-- Written in the movement's own transaction; removed when the movement is cancelled, rejected or expires.
create table kyc_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  kind text not null check (kind in ('deposit', 'withdrawal', 'transfer')),
  amount_usd numeric(38, 18) not null check (amount_usd >= 0),
  reference text not null unique,
  created_at timestamptz not null default now()
);
create index kyc_usage_user_kind_time on kyc_usage (user_id, kind, created_at);
