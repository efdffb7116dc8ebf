/** The proof-of-liabilities module's public surface. */
export { startSnapshotJob } from './pol.job.ts';
export { inclusionProof, latestRoot, type SnapshotPhase, takeSnapshot } from './pol.service.ts';
