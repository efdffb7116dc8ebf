import { resolveTxt } from 'node:dns/promises';
import { Resolver } from 'node:dns/promises';
import type { Config } from '../config.ts';

export interface FlyInstance {
  id: string;
  region: string;
}

/** Short machine id for display (Fly machine ids are 14 hex characters). */
export function shortMachineId(config: Pick<Config, 'fly'>, fallback: string): string {
  return (config.fly.machineId ?? fallback).slice(0, 14);
}

/**
 * Fly's internal DNS answers `vms.<app>.internal` TXT with "id region,id region". Outside Fly (no app name) the
 * only instance is this process.
 */
export async function listFlyInstances(
  config: Pick<Config, 'fly'>,
  localId: string,
  opts: { dnsServer?: string; timeoutMs?: number } = {},
): Promise<{ source: 'fly-dns' | 'local'; instances: FlyInstance[] }> {
  const local = { source: 'local' as const, instances: [{ id: shortMachineId(config, localId), region: config.fly.region ?? 'local' }] };
  if (!config.fly.appName) return local;
  const name = `vms.${config.fly.appName}.internal`;
  let records: string[][];
  if (opts.dnsServer) {
    const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 1 });
    resolver.setServers([opts.dnsServer]);
    records = await resolver.resolveTxt(name);
  } else {
    records = await resolveTxt(name);
  }
  const instances = records
    .map((chunks) => chunks.join(''))
    .flatMap((txt) => txt.split(','))
    .map((entry) => entry.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2 && /^[a-z0-9]+$/i.test(parts[0]!) && /^[a-z0-9]+$/i.test(parts[1]!))
    .map(([id, region]) => ({ id, region }));
  return { source: 'fly-dns', instances };
}
