import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConnectionState, createHealthMonitor } from './healthCheck.ts';

const MIN = 60_000;

describe('healthCheck', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(pingImpl: () => Promise<unknown>) {
    let visible = true;
    let visibilityCb: () => void = () => {};
    let networkCb: (online: boolean) => void = () => {};
    const ping = vi.fn(pingImpl);
    const states: ConnectionState[] = [];
    const m = createHealthMonitor({
      ping,
      random: () => 1,
      isVisible: () => visible,
      onVisibilityChange: (cb) => {
        visibilityCb = cb;
        return () => {};
      },
      onNetworkChange: (cb) => {
        networkCb = cb;
        return () => {};
      },
    });
    m.subscribe((s) => states.push(s));
    m.start();
    return {
      m,
      ping,
      states,
      setVisible(v: boolean) {
        visible = v;
        visibilityCb();
      },
      network: (online: boolean) => networkCb(online),
    };
  }

  it('pings every 4 minutes while visible', async () => {
    const t = setup(async () => ({}));
    await vi.advanceTimersByTimeAsync(4 * MIN - 1);
    expect(t.ping).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.ping).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(8 * MIN);
    expect(t.ping).toHaveBeenCalledTimes(3);
    expect(t.m.state()).toBe('online');
  });

  it('backs off after failures, goes offline after three, and recovers', async () => {
    let up = false;
    const t = setup(async () => {
      if (!up) throw new Error('down');
    });
    await vi.advanceTimersByTimeAsync(4 * MIN);
    expect(t.m.state()).toBe('reconnecting');
    expect(t.m.nextCheckInMs()).toBe(2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(t.m.nextCheckInMs()).toBe(4_000);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(t.m.state()).toBe('offline');
    expect(t.m.nextCheckInMs()).toBe(8_000);
    up = true;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(t.m.state()).toBe('online');
    expect(t.states).toEqual(['reconnecting', 'offline', 'online']);
    expect(t.m.nextCheckInMs()).toBe(4 * MIN);
  });

  it('sends nothing while hidden and checks at once when the tab returns after the interval', async () => {
    const t = setup(async () => ({}));
    t.setVisible(false);
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(t.ping).toHaveBeenCalledTimes(0);
    expect(t.m.nextCheckInMs()).toBeNull();
    t.setVisible(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ping).toHaveBeenCalledTimes(1);
  });

  it('keeps the remaining interval when the tab returns early', async () => {
    const t = setup(async () => ({}));
    await vi.advanceTimersByTimeAsync(1 * MIN);
    t.setVisible(false);
    t.setVisible(true);
    expect(t.ping).toHaveBeenCalledTimes(0);
    expect(t.m.nextCheckInMs()).toBe(3 * MIN);
  });

  it('follows the browser network events and collapses concurrent checks', async () => {
    const t = setup(async () => ({}));
    t.network(false);
    expect(t.m.state()).toBe('offline');
    t.network(true);
    void t.m.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ping).toHaveBeenCalledTimes(1);
    expect(t.m.state()).toBe('online');
  });
});
