// Verifies a proof-of-liabilities inclusion proof offline: `npm run verify-proof -- proof.json [--root <hex>]
// [--public-key <base64>]`. It uses only the shared verifier (packages/contract/src/pol/verify.ts: the same code the
// web page runs), none of the server's code. Pass --root and --public-key from the platform's published page
// (GET /api/proof-of-liabilities) to check the proof against what the platform published, not only against itself.
// Exit status: 0 verified, 1 refused, 2 usage.
import { readFileSync } from 'node:fs';
import { fromUnits, verifyInclusionProof } from '../packages/contract/src/pol/verify.ts';

function usage(msg) {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write('usage: npm run verify-proof -- proof.json [--root <hex>] [--public-key <base64>]\n');
  process.exit(2);
}

const args = process.argv.slice(2);
let file = null;
const opts = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--root') opts.expectedRootHash = args[++i] ?? usage('--root needs a value');
  else if (a === '--public-key') opts.expectedPublicKey = args[++i] ?? usage('--public-key needs a value');
  else if (a === '--help' || a === '-h') usage();
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (file === null) file = a;
  else usage('only one proof file');
}
if (!file) usage('no proof file given');

let proof;
try {
  proof = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  process.stderr.write(`cannot read ${file}: ${err.message}\n`);
  process.exit(1);
}

const r = await verifyInclusionProof(proof, opts);
const out = [];
if (r.leafHash) out.push(`leaf      ${r.leafHash}  (account ${proof.userId}, index ${proof.leafIndex})`);
for (const s of r.steps) out.push(`height ${String(s.height).padStart(2)} ${s.hash}  (sibling on the ${s.sibling.position}: ${s.sibling.hash.slice(0, 16)}…)`);
if (r.ok) {
  const root = proof.root;
  out.push(`root      ${root.rootHash}  (#${root.seq}, snapshot ${root.snapshotId}, ${root.createdAt}, ${root.leafCount} accounts)`);
  out.push(`signed by ${root.publicKey}${opts.expectedPublicKey ? ' (the key you gave)' : ' (compare it with the published key, or pass --public-key)'}`);
  proof.root.assets.forEach((a, i) => {
    if (proof.balances[i] !== '0')
      out.push(`  ${a.symbol.padEnd(6)} yours ${proof.balances[i]}  of total liabilities ${fromUnits(BigInt(root.rootSums[i]), a.decimals)}`);
  });
  out.push('VERIFIED: your balances are included in the published liabilities.');
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit(0);
}
out.push(...r.errors.map((e) => `error: ${e}`));
out.push('NOT VERIFIED');
process.stdout.write(`${out.join('\n')}\n`);
process.exit(1);
