import { Resolver } from 'node:dns/promises';
import type { Config } from '../config.ts';

export interface FlyInstance {
  id: string;
  region: string;
}

export interface FlyInstances {
  source: 'fly-dns' | 'local';
  instances: FlyInstance[];
}

/** Short machine id for display (Fly machine ids are 14 hex characters). */
export function shortMachineId(config: Pick<Config, 'fly'>, fallback: string): string {
  return (config.fly.machineId ?? fallback).slice(0, 14);
}

/** This process as the only instance: what every endpoint reports outside Fly. */
export function localInstances(config: Pick<Config, 'fly'>, localId: string): FlyInstances {
  return { source: 'local', instances: [{ id: shortMachineId(config, localId), region: config.fly.region ?? 'local' }] };
}

/** Fly's TXT answer for `vms.<app>.internal`: "<machine id> <region>" entries separated by commas. */
export function parseVmsTxt(records: string[][]): FlyInstance[] {
  return records
    .map((chunks) => chunks.join(''))
    .flatMap((txt) => txt.split(','))
    .map((entry) => entry.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2 && /^[a-z0-9]+$/i.test(parts[0]!) && /^[a-z0-9]+$/i.test(parts[1]!))
    .map(([id, region]) => ({ id, region }));
}

/**
 * The app's running machines from Fly's internal DNS (`vms.<app>.internal` TXT). Outside Fly (no app name) the
 * only instance is this process. Throws when the lookup fails or times out; callers decide how to degrade.
 */
export async function listFlyInstances(
  config: Pick<Config, 'fly'>,
  localId: string,
  opts: { dnsServer?: string | null; timeoutMs?: number } = {},
): Promise<FlyInstances> {
  if (!config.fly.appName) return localInstances(config, localId);
  // A Resolver of our own: its timeout bounds an admin request even when the resolver never answers.
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 1 });
  const server = opts.dnsServer ?? config.fly.dnsServer;
  if (server) resolver.setServers([server]);
  const records = await resolver.resolveTxt(`vms.${config.fly.appName}.internal`);
  return { source: 'fly-dns', instances: parseVmsTxt(records) };
}
