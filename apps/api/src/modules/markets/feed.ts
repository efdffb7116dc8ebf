import { randomUUID } from 'node:crypto';
import type { PriceSource } from '@cryptovault/contract';
import type { CheckResult, Platform } from '../../platform/index.ts';
import { LeaderElection } from '../../platform/locks.ts';
import type { Unsubscribe } from '../../platform/pubsub.ts';
import type { FeedTick, PriceStore } from './price-store.ts';
import { type MarketProvider, ProviderError } from './provider.ts';
import type { PriceOverride, SimulatedMarket } from './simulated.ts';

export interface FeedOptions {
  /** Separates platforms sharing one Redis (Fly app name; a random one per test app). */
  namespace: string;
  /** Time between successful polls (CoinCap) or ticks (simulated). */
  intervalMs: number;
  /** Ceiling of the exponential backoff after failures. */
  maxBackoffMs?: number;
  /** Leader lock TTL: a dead poller is replaced within about this long. */
  leaderTtlMs?: number;
}

const SNAPSHOT_TTL_MS = 7 * 86_400_000;
const SNAPSHOT_EVERY_MS = 5_000;

/**
 * One poller per platform: the machine holding the leader lock asks the provider for prices and publishes each
 * tick over pub/sub; every machine (the leader included) applies ticks to its PriceStore and emits `price.tick`
 * locally. Failures back off exponentially (honouring Retry-After) while the last good prices stay in the store
 * and age into `stale`.
 */
export class PriceFeed {
  readonly id = randomUUID();
  private readonly election: LeaderElection;
  private readonly channels: { tick: string; override: string };
  private readonly keys: { snapshot: string; overrides: string };
  private readonly maxBackoffMs: number;
  private unsubscribes: Unsubscribe[] = [];
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private failures = 0;
  private lastError: ProviderError | null = null;
  private lastSnapshotSave = 0;
  private stopped = false;

  constructor(
    private readonly platform: Platform,
    readonly provider: MarketProvider,
    readonly store: PriceStore,
    private readonly opts: FeedOptions,
    private readonly sim: SimulatedMarket | null,
  ) {
    const ns = opts.namespace;
    this.channels = { tick: `markets:${ns}:tick`, override: `markets:${ns}:override` };
    this.keys = { snapshot: `markets:${ns}:snapshot`, overrides: `markets:${ns}:overrides` };
    this.maxBackoffMs = opts.maxBackoffMs ?? 300_000;
    this.election = new LeaderElection(
      platform.locks,
      `markets:${ns}:poller`,
      opts.leaderTtlMs ?? 5_000,
      { onElected: () => this.lead(), onRevoked: () => this.follow() },
      (err) => platform.log.warn({ err }, 'price poller lock unavailable'),
    );
  }

  get source(): PriceSource {
    return this.provider.source;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    const { pubsub } = this.platform;
    this.unsubscribes.push(await pubsub.subscribe(this.channels.tick, (m) => this.onRemoteTick(m)));
    if (this.sim) this.unsubscribes.push(await pubsub.subscribe(this.channels.override, (m) => this.onRemoteOverride(m)));
    await this.restore();
    // Every machine can compute the simulated market itself: serve prices from the first request on.
    if (this.sim) this.applyLocal(await this.sim.snapshot(Date.now()));
    this.election.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.election.stop();
    this.follow();
    for (const u of this.unsubscribes) await u().catch(() => undefined);
    this.unsubscribes = [];
  }

  health(): CheckResult {
    const ageMs = this.store.ageMs();
    const stale = this.store.isStale();
    const parts: string[] = [this.provider.source];
    if (this.leading) parts.push('polling on this machine');
    if (ageMs === null) parts.push('no prices yet');
    else if (stale) parts.push('stale: showing the last good prices');
    if (this.leading && this.lastError) parts.push(`last poll failed (${this.lastError.kind})`);
    return { status: stale ? 'degraded' : 'ok', ageMs, detail: parts.join('; ') };
  }

  /** Development: sets a simulated price on every machine; the tick goes through the normal pipeline. */
  async setSimulatedPrice(assetId: string, priceUsd: string, holdMs: number): Promise<{ assetId: string; priceUsd: string; ts: number; holdUntil: number }> {
    if (!this.sim) throw new Error('not a simulated market');
    const now = Date.now();
    const override: PriceOverride = { assetId, priceUsd, setAt: now, holdUntil: now + holdMs };
    this.sim.setOverride(override);
    await this.platform.cache.set(this.keys.overrides, JSON.stringify(this.sim.allOverrides()), SNAPSHOT_TTL_MS).catch(() => undefined);
    await this.platform.pubsub.publish(this.channels.override, JSON.stringify({ origin: this.id, override }));
    const asset = { ...this.sim.assetAt(assetId, now), priceUsd, rank: this.store.asset(assetId)?.rank ?? 0 };
    await this.publish({ origin: this.id, source: 'simulated', ts: now, assets: [asset] });
    return { assetId, priceUsd, ts: now, holdUntil: override.holdUntil };
  }

  private async restore(): Promise<void> {
    const { cache, log } = this.platform;
    try {
      if (this.sim) {
        const raw = await cache.get(this.keys.overrides);
        if (raw) for (const o of JSON.parse(raw) as PriceOverride[]) this.sim.setOverride(o);
      }
      const snap = await cache.get(this.keys.snapshot);
      if (snap) for (const t of JSON.parse(snap) as FeedTick[]) this.applyLocal(t);
    } catch (err) {
      log.warn({ err }, 'could not restore the last price snapshot');
    }
  }

  private lead(): void {
    if (this.stopped) return;
    this.leading = true;
    this.failures = 0;
    this.platform.log.info({ source: this.provider.source }, 'this machine now polls prices');
    // Simulated ticks sit on whole seconds from the first one on, so socket batches (at most one a second) stay
    // in step with them.
    this.schedule(this.sim ? this.opts.intervalMs - (Date.now() % this.opts.intervalMs) + 5 : 0);
  }

  private follow(): void {
    if (this.leading) this.platform.log.info('this machine no longer polls prices');
    this.leading = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (!this.leading || this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let delay = this.opts.intervalMs;
    try {
      // Simulated ticks are stamped with their whole second: one tick per second of tick time, wherever the
      // timer fired within it (socket batches are paced by these stamps).
      const now = Date.now();
      const snap = await this.provider.snapshot(this.sim ? now - (now % this.opts.intervalMs) : now);
      if (!this.leading) return;
      this.failures = 0;
      this.lastError = null;
      await this.publish({ origin: this.id, source: this.provider.source, ts: snap.ts, assets: snap.assets });
      // The simulated market ticks on whole seconds, so every machine's batches line up.
      if (this.sim) delay = this.opts.intervalMs - (Date.now() % this.opts.intervalMs) + 5;
    } catch (err) {
      const e = err instanceof ProviderError ? err : new ProviderError('server', (err as Error).message);
      this.failures++;
      this.lastError = e;
      delay = Math.min(this.maxBackoffMs, this.opts.intervalMs * 2 ** this.failures);
      if (e.retryAfterMs !== undefined) delay = Math.min(this.maxBackoffMs, Math.max(delay, e.retryAfterMs));
      const level = e.kind === 'unauthorized' ? 'error' : 'warn';
      this.platform.log[level]({ kind: e.kind, err: e.message, retryInMs: delay, failures: this.failures }, 'price poll failed');
    }
    this.schedule(delay);
  }

  /** Applies on this machine at once (callers can read the new price right away), then tells the others. */
  private async publish(tick: FeedTick): Promise<void> {
    this.applyLocal(tick);
    await this.platform.pubsub.publish(this.channels.tick, JSON.stringify(tick)).catch((err) => {
      this.platform.log.warn({ err }, 'could not publish a price tick to other machines');
    });
    if (tick.ts - this.lastSnapshotSave >= SNAPSHOT_EVERY_MS) {
      this.lastSnapshotSave = tick.ts;
      await this.platform.cache.set(this.keys.snapshot, JSON.stringify(this.store.snapshot()), SNAPSHOT_TTL_MS).catch(() => undefined);
    }
  }

  private applyLocal(tick: Pick<FeedTick, 'ts' | 'assets'>): void {
    const changed = this.store.apply(tick);
    if (changed) this.platform.events.emit('price.tick', changed);
  }

  private onRemoteTick(message: string): void {
    try {
      const tick = JSON.parse(message) as FeedTick;
      if (tick.origin === this.id || !Array.isArray(tick.assets) || typeof tick.ts !== 'number') return;
      this.applyLocal(tick);
    } catch (err) {
      this.platform.log.warn({ err }, 'ignored a malformed price tick');
    }
  }

  private onRemoteOverride(message: string): void {
    try {
      const { origin, override } = JSON.parse(message) as { origin: string; override: PriceOverride };
      if (origin !== this.id) this.sim?.setOverride(override);
    } catch (err) {
      this.platform.log.warn({ err }, 'ignored a malformed price override');
    }
  }
}
