import { collectDefaultMetrics, Histogram, type Metric, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Records one HTTP request under its method, route pattern (or 'unmatched') and status. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** Market orders per fill statement (group commit, trading/orders.service.ts). */
  marketFillBatch: Histogram;
}

export const HTTP_DURATION_BUCKETS: readonly number[] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** What prom-client's registry reads from a metric (the shape its own Histogram.get() returns). */
export interface HistogramExposition {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: { labels: Record<string, string | number>; value: number; metricName: string }[];
}

/**
 * `http_request_duration_seconds`, recorded on every request. prom-client's Histogram checks and hashes the label
 * set on every observation, even through a child from `labels()`; this keeps one series object per method, route
 * and status (a small, fixed key space: routes are patterns) and writes two numbers per request. The exposition
 * is the same as prom-client's histogram (metrics.test.ts compares them).
 */
export class HttpDurations {
  readonly name = 'http_request_duration_seconds';
  readonly help = 'HTTP request latency by route';
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, Series>();

  constructor(private readonly buckets: readonly number[] = HTTP_DURATION_BUCKETS) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { method, route, status: String(status) }, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.buckets.length && seconds > (this.buckets[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += seconds;
    s.count++;
  }

  get(): HistogramExposition {
    const values: HistogramExposition['values'] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += s.counts[i] as number;
        const le = i < this.buckets.length ? (this.buckets[i] as number) : '+Inf';
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({});
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const httpDurations = new HttpDurations();
  // The registry takes any object with a name and get(); its type names prom-client's own classes only.
  registry.registerMetric(httpDurations as unknown as Metric);
  const marketFillBatch = new Histogram({
    name: 'market_fill_batch_size',
    help: 'Market orders filled together by one ledger statement (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  return {
    registry,
    marketFillBatch,
    observeHttp: (method, route, status, seconds) => httpDurations.observe(method, route, status, seconds),
  };
}
