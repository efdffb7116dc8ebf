import type { KnownIssue } from './harness.ts';

/**
 * Problems the fuzzer found and reported to the owning modules, not fixed yet (none open: NUL bytes, out-of-range
 * UTC offsets and Fastify's own 414 body were fixed at the edge in app.ts and the contract). Matching answers are counted and
 * printed instead of failing the suite; anything else still fails. Delete an entry once its fix lands (the
 * harness prints which entries were seen, so an entry that no longer shows up is easy to spot).
 */
export const KNOWN_ISSUES: KnownIssue[] = [];
