import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, expireStepUp, outbox, randomIp, signIn, signUpVerified, stepUp, type TestSession, waitForEmail } from '../../../test/auth-helpers.ts';
import { createTestApp, type TestContext } from '../../../test/helpers.ts';
import type { MailMessage } from '../../platform/mailer/mailer.ts';
import { authEmails } from '../auth/index.ts';
import { emailUser } from '../notifications/index.ts';
import * as securityEmails from './security.emails.ts';

const env = {
  JWT_SECRET: 'anti-phishing-test-jwt-secret-0123456789abcdef',
  CSRF_SECRET: 'anti-phishing-test-csrf-secret-0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'anti-phishing-test-data-key-0123456789abcdef',
};
let t: TestContext;
beforeAll(async () => {
  t = await createTestApp(env);
});
afterAll(async () => {
  await t.close();
});

const SECURITY_NOTICES = [
  'throttleEmail',
  'newDeviceEmail',
  'twoFactorChangedEmail',
  'passwordChangedEmail',
  'passkeyChangedEmail',
  'backupCodesRegeneratedEmail',
  'addressAddedEmail',
  'addressConfirmedEmail',
  'addressRemovedEmail',
  'addressBookOnlyEmail',
  'antiPhishingChangedEmail',
  'accountUnfrozenEmail',
];
const setCode = (s: TestSession, code: string | null) => asUser(t, s).inject({ method: 'PUT', url: '/api/security/anti-phishing', payload: { code } });
const hasCode = (m: { text: string; html: string } | undefined, code: string) => {
  expect(m?.text.startsWith(`Your anti-phishing code: ${code}\n`), m?.text).toBe(true);
  expect(m?.html).toContain(`Your anti-phishing code: <strong>${code}</strong>`);
  // At the top: before the title of the email.
  expect(m?.html.indexOf(code)).toBeLessThan(m?.html.indexOf('<h1') ?? 0);
};

describe('anti-phishing code', () => {
  it('needs a step-up to set or change (a stolen session cannot choose the code for its phishing), is validated, emailed and audited', async () => {
    const owner = await signUpVerified(t);
    expect((await asUser(t, owner).inject({ method: 'GET', url: '/api/security/anti-phishing' })).json()).toEqual({ code: null });
    const thief = await signIn(t, owner.user.email, owner.password, { ip: randomIp() });
    await expireStepUp(t, thief);
    const stolen = await setCode(thief, 'gotcha');
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, owner); // expireStepUp aged every session of the account
    for (const bad of ['abc', 'x'.repeat(21), '<b>hi</b>', 'tab\there']) expect((await setCode(owner, bad)).statusCode, bad).toBe(400);
    const ok = await setCode(owner, 'Blue Otter 42');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ code: 'Blue Otter 42' });
    const mail = (await outbox(t, owner.user.email))[0];
    expect(mail?.subject).toBe('Your CryptoVault anti-phishing code was set');
    hasCode(mail, 'Blue Otter 42');
    expect(mail?.text).toMatch(/\/freeze\?token=/);
    // Changing it again needs a fresh step-up too; clearing works with one.
    await expireStepUp(t, owner);
    expect((await setCode(owner, 'Red Fox 7')).json().error.code).toBe('STEP_UP_REQUIRED');
    await stepUp(t, owner);
    expect((await setCode(owner, 'Red Fox 7')).json()).toEqual({ code: 'Red Fox 7' });
    // Survives a restart on the same database.
    await t.close();
    t = await createTestApp(env);
    expect((await asUser(t, owner).inject({ method: 'GET', url: '/api/security/anti-phishing' })).json()).toEqual({ code: 'Red Fox 7' });
    await stepUp(t, owner);
    expect((await setCode(owner, null)).json()).toEqual({ code: null });
    const cleared = (await outbox(t, owner.user.email))[0];
    expect(cleared?.subject).toBe('Your CryptoVault anti-phishing code was removed');
    expect(cleared?.text).not.toContain('anti-phishing code: ');
  });

  it('every email template carries it at the top, through the one mailer, and every security notice a freeze link (a new template without a row here fails)', async () => {
    const u = await signUpVerified(t);
    await setCode(u, 'Quiet Moose 9');
    const to = u.user.email;
    const at = new Date();
    const o = { device: 'Firefox on Linux', ip: '10.1.2.3', at };
    const a = { asset: 'BTC', network: 'bitcoin', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', label: 'cold' };
    const templates: Record<string, () => MailMessage> = {
      verificationEmail: () => authEmails.verificationEmail(to, 'Ann', '123456', 15),
      accountExistsEmail: () => authEmails.accountExistsEmail(to, 'http://app'),
      passwordResetEmail: () => authEmails.passwordResetEmail(to, 'http://app/reset?token=x', 60),
      throttleEmail: () => authEmails.throttleEmail(to, '10.0.0.1', at, 'http://app'),
      newDeviceEmail: () => authEmails.newDeviceEmail(to, 'Chrome on Windows', '10.0.0.1', at, 'http://app'),
      twoFactorChangedEmail: () => authEmails.twoFactorChangedEmail(to, true, 'Chrome', '10.0.0.1', at, 'http://app'),
      passwordChangedEmail: () => authEmails.passwordChangedEmail(to, 'changed', 'Chrome', '10.0.0.1', at, 'http://app'),
      passkeyChangedEmail: () => authEmails.passkeyChangedEmail(to, 'added', 'Laptop', 'Chrome', '10.0.0.1', at, 'http://app'),
      backupCodesRegeneratedEmail: () => authEmails.backupCodesRegeneratedEmail(to, 'Chrome', '10.0.0.1', at, 'http://app'),
      addressAddedEmail: () => securityEmails.addressAddedEmail(to, a, 'http://app/confirm', at, 48, o),
      addressConfirmedEmail: () => securityEmails.addressConfirmedEmail(to, a, at),
      addressRemovedEmail: () => securityEmails.addressRemovedEmail(to, a, o),
      addressBookOnlyEmail: () => securityEmails.addressBookOnlyEmail(to, at, o),
      antiPhishingChangedEmail: () => securityEmails.antiPhishingChangedEmail(to, true, o),
      accountFrozenEmail: () => securityEmails.accountFrozenEmail(to, 'http://app'),
      unfreezeLinkEmail: () => securityEmails.unfreezeLinkEmail(to, 'http://app/unfreeze?token=x', 60),
      accountUnfrozenEmail: () => securityEmails.accountUnfrozenEmail(to, 'operator', 'checked'),
    };
    const exported = [...Object.entries(authEmails), ...Object.entries(securityEmails)]
      .filter(([k, v]) => typeof v === 'function' && k.endsWith('Email'))
      .map(([k]) => k);
    expect(Object.keys(templates).sort()).toEqual(exported.sort());
    for (const [name, build] of Object.entries(templates)) {
      const before = (await outbox(t, to)).length;
      await t.platform.mailer.send(build());
      const items = await outbox(t, to);
      expect(items.length, name).toBe(before + 1);
      hasCode(items[0], 'Quiet Moose 9');
      // New-device and security-change emails also carry the one-time "this wasn't me" link.
      expect(/\/freeze\?token=/.test(items[0]?.text ?? ''), name).toBe(SECURITY_NOTICES.includes(name));
      expect(/\/freeze\?token=/.test(items[0]?.html ?? ''), name).toBe(SECURITY_NOTICES.includes(name));
    }
    // Notifications (withdrawals, deposits, alerts, ...) go through emailUser.
    await emailUser(t.platform, u.user.id, 'Withdrawal requested', 'Your withdrawal is waiting for review.');
    hasCode((await outbox(t, to))[0], 'Quiet Moose 9');
    // And a real flow whose email is sent after the answer: forgot-password.
    const n = (await outbox(t, to)).length;
    await t.app.inject({ method: 'POST', url: '/api/auth/forgot-password', remoteAddress: randomIp(), payload: { email: to } });
    hasCode(await waitForEmail(t, to, n), 'Quiet Moose 9');
  });

  it('mail to an address without an account passes unchanged', async () => {
    await t.platform.mailer.send({ to: 'nobody-here@example.test', subject: 's', text: 'plain', html: '<p>plain</p>', securityNotice: true });
    expect((await outbox(t, 'nobody-here@example.test'))[0]).toMatchObject({ text: 'plain', html: '<p>plain</p>' });
  });
});
