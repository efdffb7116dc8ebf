import { type InclusionProof, type VerificationResult, verifyInclusionProof } from '@cryptovault/contract/pol/verify';
import { type ChangeEvent, useState } from 'react';
import { useAuth } from '../../shared/auth.ts';
import { useApi } from '../../shared/services.ts';
import { describeError } from '../../lib/errors.ts';
import { QueryState } from '../../ui/states.tsx';
import { fetchMyProof, usePolHistory, usePolPublication } from './api.ts';

/**
 * Proof of liabilities: what the platform published (signed root, liabilities, declared reserves) and, for a
 * signed-in user, their inclusion proof checked here in the browser with WebCrypto by the same verifier as the CLI.
 */

const short = (h: string) => `${h.slice(0, 12)}…${h.slice(-8)}`;

interface Checked {
  proof: InclusionProof;
  result: VerificationResult;
  source: string;
}

export default function ProofPage() {
  const api = useApi();
  const { user } = useAuth();
  const pub = usePolPublication();
  const history = usePolHistory();
  const [checked, setChecked] = useState<Checked | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function check(proof: unknown, source: string) {
    const latest = pub.data?.latest;
    // Against what the platform published, not only against the proof's own record.
    const past = history.data?.items.find((r) => r.snapshotId === (proof as InclusionProof)?.snapshotId);
    const result = await verifyInclusionProof(proof, {
      expectedRootHash: past?.rootHash ?? latest?.rootHash,
      expectedPublicKey: pub.data?.publicKey,
    });
    setChecked({ proof: proof as InclusionProof, result, source });
  }

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const proof = await fetchMyProof(api);
      const blob = new Blob([JSON.stringify(proof, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `cryptovault-proof-${proof.root.seq}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1_000);
      await check(proof, 'downloaded from CryptoVault');
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    setError(null);
    try {
      await check(JSON.parse(await file.text()), `file ${file.name}`);
    } catch {
      setChecked(null);
      setError(`${file.name} is not a JSON proof file.`);
    }
    e.target.value = '';
  }

  return (
    <>
      <div className="page-head">
        <h1>Proof of liabilities</h1>
      </div>
      <QueryState query={pub} loadingLabel="Loading the published root">
        {(p) => (
          <>
            <section className="card" aria-label="Published root" style={{ marginBottom: '1rem' }}>
              {p.latest ? (
                <>
                  <p>
                    Snapshot #{p.latest.seq} of <strong>{p.latest.leafCount}</strong> accounts, taken {new Date(p.latest.createdAt).toUTCString()}.
                  </p>
                  <p className="mono" style={{ wordBreak: 'break-all' }}>
                    Root <span data-testid="pol-root">{p.latest.rootHash}</span>
                  </p>
                  <p className="mono muted" style={{ wordBreak: 'break-all' }}>
                    Signing key (Ed25519) <span data-testid="pol-key">{p.publicKey}</span>
                  </p>
                </>
              ) : (
                <p data-testid="pol-none">No snapshot has been published yet.</p>
              )}
              <p>{p.proven}</p>
              <p className="muted">{p.declared}</p>
            </section>
            <section className="card" aria-label="Liabilities and reserves" style={{ marginBottom: '1rem' }}>
              <div className="table-wrap">
                <table className="table" aria-label="Liabilities and declared reserves">
                  <thead>
                    <tr>
                      <th>Asset</th>
                      <th className="num">Liabilities (proven)</th>
                      <th className="num">Reserves (declared)</th>
                      <th className="num">Ratio</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.assets.map((a) => (
                      <tr key={a.asset}>
                        <td>{a.asset}</td>
                        <td className="num">{a.liabilities}</td>
                        <td className="num">{a.declaredReserves ?? '—'}</td>
                        <td className="num">{a.ratio ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          </>
        )}
      </QueryState>

      <section className="card" aria-label="Verify your balance" style={{ marginBottom: '1rem' }}>
        <h2>Check that your balance is included</h2>
        <p className="muted">
          Your proof contains your balances, a secret salt and the path of hashes and sums from your leaf to the published root. This page checks it in your
          browser; <code>npm run verify-proof -- proof.json</code> checks the same file offline.
        </p>
        <div className="row" style={{ gap: '0.75rem', flexWrap: 'wrap' }}>
          {user ? (
            <button type="button" className="btn btn-primary" onClick={() => void download()} disabled={busy || !pub.data?.latest}>
              {busy ? 'Verifying…' : 'Download and verify my proof'}
            </button>
          ) : (
            <span className="muted">Log in to download your proof.</span>
          )}
          <label className="btn">
            Verify a proof file
            <input type="file" accept="application/json,.json" onChange={(e) => void onFile(e)} style={{ display: 'none' }} aria-label="Proof file" />
          </label>
        </div>
        {error && (
          <div className="alert alert-error" role="alert" style={{ marginTop: '0.75rem' }}>
            {error}
          </div>
        )}
        {checked && <Verdict checked={checked} />}
      </section>

      <section className="card" aria-label="History">
        <h2>Published roots</h2>
        <QueryState query={history} isEmpty={(h) => h.items.length === 0} empty="None yet.">
          {(h) => (
            <div className="table-wrap">
              <table className="table" aria-label="Root history">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Taken</th>
                    <th className="num">Accounts</th>
                    <th>Root</th>
                    <th>Previous record</th>
                  </tr>
                </thead>
                <tbody>
                  {h.items.map((r) => (
                    <tr key={r.seq}>
                      <td>{r.seq}</td>
                      <td>{new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19)}</td>
                      <td className="num">{r.leafCount}</td>
                      <td className="mono">{short(r.rootHash)}</td>
                      <td className="mono">{r.previousHash ? short(r.previousHash) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </section>
    </>
  );
}

function Verdict({ checked }: { checked: Checked }) {
  const { proof, result, source } = checked;
  const assets = Array.isArray(proof?.root?.assets) ? proof.root.assets : [];
  return (
    <div style={{ marginTop: '1rem' }} data-testid="pol-verdict">
      {result.ok ? (
        <div className="alert alert-success" role="status" data-testid="pol-result">
          Verified: your balances are included in the published liabilities (snapshot #{proof.root.seq}, {source}).
        </div>
      ) : (
        <div className="alert alert-error" role="alert" data-testid="pol-result">
          Not verified ({source}): {result.errors.join('; ')}
        </div>
      )}
      {result.ok && (
        <ul className="mono" aria-label="Your balances in this snapshot">
          {assets.map((a, i) => (proof.balances[i] !== '0' ? <li key={a.symbol}>{`${a.symbol} ${proof.balances[i]}`}</li> : null))}
        </ul>
      )}
      {result.leafHash && (
        <ol className="mono" aria-label="Path from your leaf to the root" data-testid="pol-path" style={{ wordBreak: 'break-all' }}>
          <li>leaf {result.leafHash}</li>
          {result.steps.map((s) => (
            <li key={s.height}>
              height {s.height}: {s.hash} <span className="muted">(sibling on the {s.sibling.position})</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
