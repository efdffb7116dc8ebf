import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFlyInstances, parseVmsTxt } from '../../src/platform/fly.ts';
import type { Authenticator, Principal } from '../../src/platform/principal.ts';
import { createTestApp, type TestContext } from '../helpers.ts';
import { type DnsStandIn, startDnsStandIn } from './dns-standin.ts';

const APP = 'cryptovault-api';
const fly = (extra: Partial<{ appName: string | null; machineId: string | null; region: string | null; dnsServer: string | null }> = {}) => ({
  fly: {
    appName: APP,
    machineId: '148ed193b95e89',
    region: 'iad',
    primaryRegion: 'iad',
    imageRef: null,
    privateIp: null,
    processGroup: 'app',
    vmMemoryMb: 1024,
    dnsServer: null,
    ...extra,
  },
});

/**
 * Stands in for the accounts module: `Bearer test` is a user with 2FA on a session that passed it (what
 * requireAdmin demands), in the role `signedIn.role` says.
 */
const signedIn = { role: 'admin' as Principal['role'] };
const authenticator: Authenticator = {
  authenticate: async (req) =>
    req.headers.authorization === 'Bearer test'
      ? {
          userId: 'u1',
          sessionId: 's1',
          role: signedIn.role,
          operatorRoles: signedIn.role === 'admin' ? ['superadmin'] : [],
          twoFactorEnabled: true,
          secondFactors: ['totp'],
          frozen: false,
          session: { secondFactorAt: new Date(), stepUpAt: null, stepUpMethods: [] },
          via: 'bearer',
        }
      : null,
  authenticateSocket: async () => null,
};

describe('Fly internal DNS (vms.<app>.internal TXT)', () => {
  let dns: DnsStandIn;
  beforeAll(async () => {
    dns = await startDnsStandIn({
      [`vms.${APP}.internal`]: ['148ed193b95e89 iad,3d8d9e7be74e18 iad,6e82d25f1bb298 ams'],
    });
  });
  afterAll(() => dns.close());

  it('lists every machine with its region', async () => {
    const result = await listFlyInstances(fly(), 'local', { dnsServer: dns.address });
    expect(result).toEqual({
      source: 'fly-dns',
      instances: [
        { id: '148ed193b95e89', region: 'iad' },
        { id: '3d8d9e7be74e18', region: 'iad' },
        { id: '6e82d25f1bb298', region: 'ams' },
      ],
    });
    expect(dns.queries.at(-1)).toBe(`vms.${APP}.internal`);
  });

  it('joins TXT strings split at 255 bytes and ignores malformed entries', async () => {
    const many = Array.from({ length: 30 }, (_, i) => `${(0x100000000000 + i).toString(16)}0 iad`).join(',');
    dns.txt.set('vms.big-app.internal', [`${many},not valid entry,`]);
    const result = await listFlyInstances(fly({ appName: 'big-app' }), 'local', { dnsServer: dns.address });
    expect(many.length).toBeGreaterThan(255);
    expect(result.instances).toHaveLength(30);
    expect(parseVmsTxt([['a1 iad,', 'b2 ams']])).toEqual([
      { id: 'a1', region: 'iad' },
      { id: 'b2', region: 'ams' },
    ]);
  });

  it('fails for an unknown app and times out on a silent server', async () => {
    await expect(listFlyInstances(fly({ appName: 'nope' }), 'local', { dnsServer: dns.address })).rejects.toThrow(/ENOTFOUND|queryTxt/);
    dns.silent = true;
    try {
      const started = Date.now();
      await expect(listFlyInstances(fly(), 'local', { dnsServer: dns.address, timeoutMs: 300 })).rejects.toThrow(/ETIMEOUT|queryTxt/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      dns.silent = false;
    }
  });

  it('answers for this process alone outside Fly, without any lookup', async () => {
    const before = dns.queries.length;
    const result = await listFlyInstances(fly({ appName: null, machineId: null, region: null }), 'host-1234', { dnsServer: dns.address });
    expect(result).toEqual({ source: 'local', instances: [{ id: 'host-1234', region: 'local' }] });
    expect(dns.queries.length).toBe(before);
  });

  describe('GET /api/fly/instances', () => {
    let onFly: TestContext;
    let offFly: TestContext;
    let broken: TestContext;
    beforeAll(async () => {
      onFly = await createTestApp({ FLY_APP_NAME: APP, FLY_MACHINE_ID: '148ed193b95e89', FLY_REGION: 'iad', FLY_DNS_SERVER: dns.address }, { authenticator });
      offFly = await createTestApp({}, { authenticator });
      broken = await createTestApp({ FLY_APP_NAME: 'missing-app', FLY_REGION: 'iad', FLY_DNS_SERVER: dns.address }, { authenticator });
    });
    afterAll(async () => {
      await Promise.all([onFly, offFly, broken].map((c) => c.close()));
    });

    it('is admin only', async () => {
      expect((await onFly.app.inject({ method: 'GET', url: '/api/fly/instances' })).statusCode).toBe(401);
      signedIn.role = 'user';
      try {
        expect((await onFly.app.inject({ method: 'GET', url: '/api/fly/instances', headers: { authorization: 'Bearer test' } })).statusCode).toBe(403);
      } finally {
        signedIn.role = 'admin';
      }
    });

    it('reports the machines from Fly DNS on Fly', async () => {
      const res = await onFly.app.inject({ method: 'GET', url: '/api/fly/instances', headers: { authorization: 'Bearer test' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ source: 'fly-dns', instances: expect.arrayContaining([{ id: '6e82d25f1bb298', region: 'ams' }]) });
    });

    it('reports this process, source local, outside Fly', async () => {
      const res = await offFly.app.inject({ method: 'GET', url: '/api/fly/instances', headers: { authorization: 'Bearer test' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ source: 'local', instances: [{ id: expect.any(String), region: 'local' }] });
    });

    it('degrades to this process when the DNS lookup fails', async () => {
      const res = await broken.app.inject({ method: 'GET', url: '/api/fly/instances', headers: { authorization: 'Bearer test' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ source: 'local', instances: [{ id: expect.any(String), region: 'iad' }] });
    });

    it('answers the other Fly endpoints sensibly outside Fly', async () => {
      const region = await offFly.app.inject({ method: 'GET', url: '/api/fly/region' });
      expect(region.json()).toMatchObject({ region: 'local', primaryRegion: 'local' });
      const health = await offFly.app.inject({ method: 'GET', url: '/api/fly/health/fly' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', region: 'local', draining: false });
      const status = await offFly.app.inject({ method: 'GET', url: '/api/fly/status', headers: { authorization: 'Bearer test' } });
      expect(status.json()).toMatchObject({ app: expect.stringContaining('local'), region: 'local', imageRef: null });
    });
  });
});
