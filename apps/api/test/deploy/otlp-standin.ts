import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One span as OTLP/HTTP JSON encodes it (ids are hex strings; attribute values are typed unions). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

export interface OtlpStandIn {
  url: string;
  spans: OtlpSpan[];
  resources: Record<string, unknown>[];
  requests: { path: string; contentType: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}

export function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
}

/** A local stand-in for an OpenTelemetry collector's OTLP/HTTP receiver (JSON encoding, POST /v1/traces). */
export async function startOtlpStandIn(): Promise<OtlpStandIn> {
  const state: Omit<OtlpStandIn, 'url' | 'close'> = { spans: [], resources: [], requests: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      state.requests.push({ path: req.url ?? '', contentType, headers: req.headers });
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !contentType.includes('json')) {
        res.writeHead(415).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const doc = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: { resource?: { attributes?: { key: string; value: Record<string, unknown> }[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
      };
      for (const rs of doc.resourceSpans ?? []) {
        state.resources.push(Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])));
        for (const ss of rs.scopeSpans ?? []) state.spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    ...state,
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
