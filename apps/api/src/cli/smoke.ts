/**
 * `npm run smoke -- --api <url> [--web <url>] [--origin <url>] [--email <e> --password <p>] [--json]`
 *
 * Proves a deployment works before DNS (or Vercel's API_ORIGIN) is switched: health, ping and /api/config
 * consistency, the HTTPS redirect, security headers, CORS for the web origin (and for nothing else: foreign
 * origins, look-alikes, null, http, dev servers), cookie attributes (no SameSite=None behind a same-origin rewrite)
 * and CSRF enforcement, development tools closed, proxy trust that ignores forged forwarding headers, Socket.IO over
 * WebSocket and long-polling, and optionally sign-in and balances — directly against the API and again through the
 * web origin. Exit code 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { smokePassword } from '../config.ts';
import { formatTable } from './smoke/report.ts';
import { runSmoke } from './smoke/run.ts';

const USAGE =
  'usage: npm run smoke -- --api <url> [--web <url>] [--origin <url>] [--email <e> --password <p>] [--timeout <ms>] [--socket-timeout <ms>] [--json]';

function parse() {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      web: { type: 'string' },
      origin: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      'socket-timeout': { type: 'string', default: '30000' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  for (const k of ['api', 'web', 'origin'] as const) {
    const v = values[k];
    if (v !== undefined && !/^https?:\/\/[^/]+\/?$/.test(v)) throw new Error(`--${k} must be an origin like https://host (got ${v})`);
  }
  if (!values.api) throw new Error('--api is required');
  // SMOKE_PASSWORD keeps the password out of shell history and CI logs.
  const password = values.password ?? smokePassword();
  if (Boolean(values.email) !== Boolean(password)) throw new Error('--email needs --password (or SMOKE_PASSWORD), and the reverse');
  return { ...values, api: values.api, password };
}

let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

const report = await runSmoke({
  api: args.api,
  web: args.web,
  origin: args.origin,
  email: args.email,
  password: args.password,
  timeoutMs: Number(args.timeout),
  socketTimeoutMs: Number(args['socket-timeout']),
});
console.log(args.json ? JSON.stringify(report, null, 2) : formatTable(report));
process.exit(report.ok ? 0 : 1);
