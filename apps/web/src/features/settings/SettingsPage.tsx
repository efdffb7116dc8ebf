import { changePasswordRequest, type SessionInfo, updateProfileRequest } from '@cryptovault/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useAuth } from '../../app/auth.tsx';
import { useApi } from '../../app/services.ts';
import { describeError } from '../../lib/errors.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { qk } from '../../shared/queryKeys.ts';
import { Field, FormError } from '../../ui/Field.tsx';
import { QueryState } from '../../ui/states.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { AddressBookCard } from '../security/AddressBookCard.tsx';
import { AntiPhishingCard } from '../security/AntiPhishingCard.tsx';
import { TwoFactorCard } from './TwoFactorCard.tsx';

function ProfileCard() {
  const api = useApi();
  const toast = useToast();
  const { user, refreshUser } = useAuth();
  const [name, setName] = useState(user?.name ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) => api.patch('/api/auth/me', body),
    onSuccess: async () => {
      toast.show('success', 'Profile saved');
      await refreshUser();
    },
    onError: (e) => setErrors(serverErrors(e)),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(updateProfileRequest, { name });
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    save.mutate(v.data);
  }
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Email" value={user?.email ?? ''} readOnly hint={user?.emailVerified ? 'Verified' : 'Not verified'} />
        <Field label="Name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <FormError message={errors._form} />
        <button className="btn btn-primary" type="submit" disabled={save.isPending}>
          Save
        </button>
      </form>
    </section>
  );
}

function PasswordCard() {
  const api = useApi();
  const toast = useToast();
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const change = useMutation({
    mutationFn: (body: unknown) => api.post('/api/auth/change-password', body),
    onSuccess: () => {
      toast.show('success', 'Password changed', 'Every other session was signed out.');
      setForm({ currentPassword: '', newPassword: '' });
    },
    onError: (e) => setErrors(serverErrors(e, { UNAUTHENTICATED: 'currentPassword', FORBIDDEN: 'currentPassword' })),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const v = validate(changePasswordRequest, form);
    if (!v.ok) return setErrors(v.errors);
    setErrors({});
    change.mutate(v.data);
  }
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Current password" type="password" autoComplete="current-password" value={form.currentPassword} onChange={(e) => setForm((f) => ({ ...f, currentPassword: e.target.value }))} error={errors.currentPassword} />
        <Field label="New password" type="password" autoComplete="new-password" value={form.newPassword} onChange={(e) => setForm((f) => ({ ...f, newPassword: e.target.value }))} error={errors.newPassword} hint="At least 10 characters." />
        <FormError message={errors._form} />
        <button className="btn btn-primary" type="submit" disabled={change.isPending}>
          Change password
        </button>
      </form>
    </section>
  );
}

function SessionsCard() {
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const { logout } = useAuth();
  const sessions = useQuery({ queryKey: qk.sessions, queryFn: () => api.get<{ items: SessionInfo[] }>('/api/auth/sessions') });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del(`/api/auth/sessions/${id}`),
    onSuccess: () => {
      toast.show('success', 'Session revoked');
      void qc.invalidateQueries({ queryKey: qk.sessions });
    },
    onError: (e) => toast.show('error', 'Could not revoke', describeError(e)),
  });
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="row-between">
        <h2 id="sessions-title">Sessions</h2>
        <button type="button" className="btn btn-danger btn-sm" onClick={() => void logout(true)}>
          Log out everywhere
        </button>
      </div>
      <QueryState query={sessions} isEmpty={(d) => d.items.length === 0} empty="No sessions.">
        {(d) => (
          <ul className="stack" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {d.items.map((s) => (
              <li key={s.id} className="row-between">
                <span>
                  <strong>{s.device}</strong> {s.current && <span className="badge badge-ok">this device</span>}
                  <div className="small muted">
                    {s.ip ?? 'unknown IP'} · signed in {new Date(s.createdAt).toLocaleString()} · last used {new Date(s.lastUsedAt).toLocaleString()}
                  </div>
                </span>
                {!s.current && (
                  <button type="button" className="btn btn-sm" onClick={() => revoke.mutate(s.id)} disabled={revoke.isPending}>
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}

export default function SettingsPage() {
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <div className="grid grid-2">
        <ProfileCard />
        <PasswordCard />
        <TwoFactorCard />
        <SessionsCard />
        {/* Account security (issue 16); the lead moves these to the Security page when it lands. */}
        <AntiPhishingCard />
        <AddressBookCard />
      </div>
    </>
  );
}
