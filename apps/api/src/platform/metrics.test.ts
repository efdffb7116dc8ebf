import { Histogram, type Metric, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, HTTP_DURATION_BUCKETS, HttpDurations } from './metrics.ts';

describe('http_request_duration_seconds', () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry();
    const durations = new HttpDurations();
    ours.registerMetric(durations as unknown as Metric);
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [...HTTP_DURATION_BUCKETS],
      registers: [reference],
    });
    // Bucket edges, between edges, beyond the last, and several series.
    const observations: [string, string, number, number][] = [
      ['GET', '/api/crypto', 200, 0.002],
      ['GET', '/api/crypto', 200, 0.0021],
      ['GET', '/api/crypto', 200, 0.0001],
      ['GET', '/api/crypto', 304, 0.05],
      ['POST', '/api/orders', 201, 0.3],
      ['POST', '/api/orders', 422, 7.5],
      ['GET', 'unmatched', 404, 5],
      ['GET', '/api/crypto', 200, 1],
    ];
    for (const [method, route, status, seconds] of observations) {
      durations.observe(method, route, status, seconds);
      histogram.labels(method, route, String(status)).observe(seconds);
    }
    expect(await ours.metrics()).toBe(await reference.metrics());
  });

  it('is on the registry /metrics serves, next to the default metrics', async () => {
    const metrics = createMetrics();
    metrics.observeHttp('GET', '/api/crypto', 200, 0.004);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/crypto",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.002",method="GET",route="/api/crypto",status="200"} 0');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/crypto",status="200"} 1');
    expect(text).toContain('process_cpu_seconds_total');
  });
});
