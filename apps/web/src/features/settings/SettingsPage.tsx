import { changePasswordRequest, updateProfileRequest } from '@cryptovault/contract';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { type FieldErrors, serverErrors, validate } from '../../lib/forms.ts';
import { Field, FormError } from '../../ui/Field.tsx';
import { useToast } from '../../ui/Toasts.tsx';
import { settingsApi } from './api.ts';

function ProfileCard() {
  const api = useApi();
  const toast = useToast();
  const { user, refreshUser } = useAuth();
  const [name, setName] = useState(user?.name ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: settingsApi(api).updateProfile,
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
    mutationFn: settingsApi(api).changePassword,
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
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={form.currentPassword}
          onChange={(e) => setForm((f) => ({ ...f, currentPassword: e.target.value }))}
          error={errors.currentPassword}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={form.newPassword}
          onChange={(e) => setForm((f) => ({ ...f, newPassword: e.target.value }))}
          error={errors.newPassword}
          hint="At least 10 characters."
        />
        <FormError message={errors._form} />
        <button className="btn btn-primary" type="submit" disabled={change.isPending}>
          Change password
        </button>
      </form>
    </section>
  );
}

/** Sessions, second factors, passkeys, backup codes and security events live on their own page. */
function SecurityLinkCard() {
  return (
    <section className="card" aria-labelledby="security-link-title">
      <h2 id="security-link-title">Security</h2>
      <p className="muted small">Sessions and devices, two-factor authentication, passkeys, backup codes and recent security events.</p>
      <Link className="btn btn-primary" to="/security">
        Open security settings
      </Link>
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
        <SecurityLinkCard />
      </div>
    </>
  );
}
