import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

type HttpLabels = 'method' | 'route' | 'status';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<HttpLabels>;
  /** Records one HTTP request; the labelled child (labels checked) is made once per method, route and status. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** Market orders per fill statement (group commit, trading/orders.service.ts). */
  marketFillBatch: Histogram;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({});
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const marketFillBatch = new Histogram({
    name: 'market_fill_batch_size',
    help: 'Market orders filled together by one ledger statement (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  // Routes are the registered patterns (or 'unmatched'), so the key space is small and fixed.
  const series = new Map<string, ReturnType<Histogram<HttpLabels>['labels']>>();
  return {
    registry,
    httpDuration,
    marketFillBatch,
    observeHttp(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        s = httpDuration.labels(method, route, String(status));
        series.set(key, s);
      }
      s.observe(seconds);
    },
  };
}
