-- Realised gains (issue 22): each user's cost-basis method. Gains themselves are not stored: they are computed from
-- the journal whenever asked (modules/gains), so changing the method recomputes everything, past years included.
create table gains_settings (
  user_id uuid primary key references users (id),
  method text not null check (method in ('fifo', 'hifo', 'average')),
  updated_at timestamptz not null default now()
);
