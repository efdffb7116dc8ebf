import { useEffect, useState } from 'react';

interface Health {
  status: string;
  version: string;
  checks: Record<string, { status: string; detail?: string }>;
}

/** Minimal shell until the trader screens land: shows the platform's health from /api/health. */
export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
        const body = (await res.json()) as Health;
        if (!stop) {
          setHealth(body);
          setError(null);
        }
      } catch {
        if (!stop) setError('The API is unreachable');
      }
    };
    void load();
    const t = setInterval(load, 10_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);

  return (
    <main className="shell">
      <h1>CryptoVault</h1>
      <p className="lede">Custodial crypto trading: deposit, trade at live prices, withdraw.</p>
      {error && <p role="alert">{error}</p>}
      {health && (
        <section aria-label="Platform status">
          <p>
            Platform status: <strong data-testid="health-status">{health.status}</strong> (version {health.version})
          </p>
          <ul>
            {Object.entries(health.checks).map(([name, c]) => (
              <li key={name}>
                {name}: {c.status}
                {c.detail ? ` (${c.detail})` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
