import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/**
 * A local stand-in for Sentry speaking its documented formats: the envelope endpoint SDKs send events to
 * (`POST /api/<project>/envelope/`, newline-delimited JSON), and the release-files API used to upload source maps
 * (`POST /api/0/organizations/<org>/releases/`, `POST /api/0/projects/<org>/<project>/releases/<version>/files/`,
 * multipart with `file` and `name`, Bearer auth token). No network leaves the machine.
 */
export interface SentryEvent {
  event_id?: string;
  release?: string;
  environment?: string;
  exception?: { values?: { type?: string; value?: string; stacktrace?: { frames?: { filename?: string; abs_path?: string; lineno?: number }[] } }[] };
  contexts?: { trace?: { trace_id?: string; span_id?: string } };
  tags?: Record<string, string>;
  request?: { url?: string; headers?: Record<string, string>; cookies?: unknown; data?: unknown; query_string?: unknown };
}

export interface UploadedFile {
  org: string;
  project: string;
  release: string;
  name: string;
  size: number;
  text: string;
}

export interface SentryStandIn {
  url: string;
  /** A DSN pointing here: `http://<key>@127.0.0.1:<port>/<project>`. */
  dsn(project?: string): string;
  events: SentryEvent[];
  releases: { org: string; version: string; projects: string[] }[];
  files: UploadedFile[];
  /** Authorization headers seen on the API (never on envelopes). */
  authorizations: string[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSentryStandIn(): Promise<SentryStandIn> {
  const events: SentryEvent[] = [];
  const releases: SentryStandIn['releases'] = [];
  const files: UploadedFile[] = [];
  const authorizations: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await body(req);
    const data = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

    if (req.method === 'POST' && /^\/api\/\d+\/envelope\/?$/.test(path)) {
      const lines = data.toString('utf8').split('\n');
      // envelope header, then (item header, item payload) pairs
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const header = JSON.parse(lines[i]!) as { type?: string };
        if (header.type === 'event') events.push(JSON.parse(lines[i + 1]!) as SentryEvent);
      }
      return json(200, { id: 'ok' });
    }

    authorizations.push(String(req.headers.authorization ?? ''));
    if (req.headers.authorization !== 'Bearer sntrys_standin_token') return json(401, { detail: 'Invalid token' });
    const release = /^\/api\/0\/organizations\/([^/]+)\/releases\/$/.exec(path);
    if (req.method === 'POST' && release) {
      const b = JSON.parse(data.toString('utf8')) as { version: string; projects: string[] };
      const existing = releases.find((r) => r.org === release[1] && r.version === b.version);
      if (existing) return json(208, { version: b.version });
      releases.push({ org: release[1]!, version: b.version, projects: b.projects });
      return json(201, { version: b.version });
    }
    const upload = /^\/api\/0\/projects\/([^/]+)\/([^/]+)\/releases\/([^/]+)\/files\/$/.exec(path);
    if (req.method === 'POST' && upload) {
      const [, org, project, version] = upload as unknown as [string, string, string, string];
      if (!releases.some((r) => r.org === org && r.version === decodeURIComponent(version))) return json(404, { detail: 'release not found' });
      const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: data }).formData();
      const file = form.get('file');
      const name = String(form.get('name') ?? '');
      if (!(file instanceof Blob) || !name) return json(400, { detail: 'file and name required' });
      if (files.some((f) => f.org === org && f.project === project && f.release === decodeURIComponent(version) && f.name === name)) {
        return json(409, { detail: 'A file matching this name already exists for the given release' });
      }
      const text = await file.text();
      files.push({ org, project, release: decodeURIComponent(version), name, size: file.size, text });
      return json(201, { name, size: file.size });
    }
    json(404, { detail: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dsn: (project = '42') => `http://publickey@127.0.0.1:${port}/${project}`,
    events,
    releases,
    files,
    authorizations,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
