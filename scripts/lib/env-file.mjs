// .env parsing and the plan for `fly secrets import`. Values are carried but never formatted into messages.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses KEY=value lines: `export KEY=...`, '…' and "…" quoting (\n, \" and \\ escapes inside double quotes),
 * ` #` comments after unquoted values. Returns entries and line-numbered syntax errors (without values).
 */
export function parseEnvFile(text) {
  const entries = [];
  const errors = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m || !NAME.test(m[1])) {
      errors.push(`line ${i + 1}: not a NAME=value line`);
      return;
    }
    let value = m[2];
    const q = value[0];
    if (q === '"' || q === "'") {
      const end = value.lastIndexOf(q);
      if (end <= 0) {
        errors.push(`line ${i + 1}: ${m[1]} has an unterminated quote`);
        return;
      }
      value = value.slice(1, end);
      if (q === '"') value = value.replace(/\\(["\\n])/g, (_s, c) => (c === 'n' ? '\n' : c));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    entries.push({ name: m[1], value, line: i + 1 });
  });
  return { entries, errors };
}

const PLACEHOLDER = /^<.*>$|<[^<>]+>/;

/**
 * What goes to Fly: every known variable with a real value, except those fly.toml [env] already sets (one source
 * per setting), the ones Fly sets itself, and retired ones. `known` is the API's variable list (config.ts).
 */
export function planSecrets({ entries, flyEnv, known }) {
  const send = [];
  const skipped = [];
  const problems = [];
  const seen = new Set();
  for (const e of entries) {
    if (seen.has(e.name)) problems.push(`${e.name} appears twice (line ${e.line})`);
    seen.add(e.name);
    if (/^MONGO_/.test(e.name)) skipped.push({ name: e.name, reason: 'retired: DATABASE_URL replaced it' });
    else if (/^(FLY_(?!DNS_SERVER)|PRIMARY_REGION$)/.test(e.name)) skipped.push({ name: e.name, reason: 'set by Fly on every machine' });
    else if (Object.hasOwn(flyEnv, e.name)) skipped.push({ name: e.name, reason: 'set in fly.toml [env]' });
    else if (!known.includes(e.name)) skipped.push({ name: e.name, reason: 'not read by the API (typo?)' });
    else if (e.value === '') problems.push(`${e.name} is empty (line ${e.line}): remove the line or give it a value`);
    else if (PLACEHOLDER.test(e.value)) problems.push(`${e.name} still holds the example placeholder (line ${e.line})`);
    else if (e.value.includes('\n')) problems.push(`${e.name} spans several lines, which fly secrets import cannot take`);
    else send.push({ name: e.name, value: e.value });
  }
  return { send, skipped, problems };
}

/** The `fly secrets import` input: NAME=VALUE per line, read from stdin. */
export function importInput(send) {
  return send.map((s) => `${s.name}=${s.value}\n`).join('');
}
