import type { ConsentState, LegalDocument, LegalKind, LegalVersionSummary, PublishLegalRequest } from '@cryptovault/contract';
import type { Executor } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Platform } from '../../platform/index.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './legal.repo.ts';
import type { LegalDocumentRow } from './legal.schema.ts';

/** How long a machine keeps the terms version in force before reading it again (a publish elsewhere shows within this). */
export const CURRENT_TERMS_TTL_MS = 5_000;
/** Per-machine memory of users known to have accepted a version; cleared when it grows past this. */
const ACCEPTED_CACHE_MAX = 50_000;
/** A publish may be dated this far in the past (clocks differ); earlier is refused. */
const PAST_SLACK_MS = 60_000;

function summary(r: LegalDocumentRow): LegalVersionSummary {
  return { kind: r.kind, version: r.version, title: r.title, effectiveAt: r.effectiveAt.toISOString(), publishedAt: r.publishedAt.toISOString() };
}

function full(r: LegalDocumentRow, currentVersion: number | null): LegalDocument {
  return { ...summary(r), body: r.body, current: r.version === currentVersion };
}

export const termsNotAccepted = (currentVersion: number, message?: string) =>
  new AppError(
    'TERMS_NOT_ACCEPTED',
    message ??
      'Our Terms of Service have changed. Read and accept the new version to deposit, trade or transfer again; you can still view your account and withdraw.',
    { currentVersion },
  );

/**
 * Legal documents (versioned, published by operators, audited), the users' acceptance of the terms, and the country
 * check. Reads of the version in force for the money-moving gate (gate.ts) are cached per machine for
 * CURRENT_TERMS_TTL_MS; sign-up and the consent routes read the database.
 */
export class LegalService {
  private current: { version: number; until: number } | null = null;
  /** userId → highest version this machine saw them accept (acceptances only grow). */
  private readonly accepted = new Map<string, number>();

  constructor(private readonly platform: Pick<Platform, 'database' | 'config'>) {}

  private get db() {
    return this.platform.database.db;
  }

  // --- Documents -------------------------------------------------------------------------------------------------

  async currentDocuments(): Promise<LegalVersionSummary[]> {
    const out: LegalVersionSummary[] = [];
    for (const kind of ['terms', 'privacy', 'risk'] as const) {
      const row = await repo.currentDocument(this.db, kind);
      if (row) out.push(summary(row));
    }
    return out;
  }

  async documentPage(kind: LegalKind): Promise<{ document: LegalDocument; versions: LegalVersionSummary[] }> {
    const row = await repo.currentDocument(this.db, kind);
    if (!row) throw notFound('Document');
    const versions = await repo.listVersions(this.db, kind);
    return { document: full(row, row.version), versions: versions.map(summary) };
  }

  async documentVersion(kind: LegalKind, version: number): Promise<LegalDocument> {
    const row = await repo.documentVersion(this.db, kind, version);
    if (!row) throw notFound('Document version');
    const current = await repo.currentDocument(this.db, kind);
    return full(row, current?.version ?? null);
  }

  async allVersions(): Promise<LegalDocument[]> {
    const rows = await repo.listVersions(this.db);
    const currents = new Map<string, number>();
    for (const kind of ['terms', 'privacy', 'risk'] as const) {
      const c = await repo.currentDocument(this.db, kind);
      if (c) currents.set(kind, c.version);
    }
    return rows.map((r) => full(r, currents.get(r.kind) ?? null));
  }

  /** A new version of a document, with its audit record in the same transaction. */
  async publish(actor: { adminId: string; requestId: string }, input: PublishLegalRequest): Promise<LegalDocument> {
    const effectiveAt = input.effectiveAt ? new Date(input.effectiveAt) : new Date();
    if (effectiveAt.getTime() < Date.now() - PAST_SLACK_MS) {
      throw new AppError('VALIDATION_ERROR', 'The effective date cannot be in the past: leave it empty for "now", or pick a later date', [
        { path: ['body', 'effectiveAt'], message: 'must not be in the past' },
      ]);
    }
    const row = await this.db.transaction(async (tx) => {
      const created = await repo.insertVersion(tx, { kind: input.kind, title: input.title, body: input.body, effectiveAt, publishedBy: actor.adminId });
      await recordAudit(tx, {
        actorId: actor.adminId,
        action: 'legal.publish',
        targetType: 'legal_document',
        targetId: `${created.kind}:${created.version}`,
        requestId: actor.requestId,
        details: {
          kind: created.kind,
          version: created.version,
          title: created.title,
          effectiveAt: created.effectiveAt.toISOString(),
          bodyLength: created.body.length,
        },
      });
      return created;
    });
    if (row.kind === 'terms') this.current = null;
    const current = await repo.currentDocument(this.db, row.kind);
    return full(row, current?.version ?? null);
  }

  // --- Consent ---------------------------------------------------------------------------------------------------

  /** The terms version in force, read now (sign-up, the consent routes). */
  async currentTermsVersion(): Promise<number> {
    const row = await repo.currentDocument(this.db, 'terms');
    if (!row) throw new AppError('UNAVAILABLE', 'The Terms of Service are not available right now; try again shortly');
    this.current = { version: row.version, until: Date.now() + CURRENT_TERMS_TTL_MS };
    return row.version;
  }

  private async cachedCurrentVersion(): Promise<number> {
    const c = this.current;
    if (c && c.until > Date.now()) return c.version;
    return this.currentTermsVersion();
  }

  /** Records an acceptance inside the caller's transaction (sign-up: with the new user's row). */
  async recordAcceptance(ex: Executor, userId: string, version: number, ip: string | null): Promise<void> {
    await repo.insertAcceptance(ex, { userId, version, ip });
  }

  async consentState(userId: string): Promise<ConsentState> {
    const currentVersion = await this.currentTermsVersion();
    const last = await repo.latestAcceptance(this.db, userId);
    return {
      currentVersion,
      acceptedVersion: last?.version ?? null,
      acceptedAt: last?.acceptedAt.toISOString() ?? null,
      required: !last || last.version < currentVersion,
    };
  }

  /**
   * The signed-in user accepts `version`: the one in force, or one published to take effect later (which then
   * covers the current one too). An older version is refused with TERMS_NOT_ACCEPTED naming the current one.
   */
  async accept(userId: string, version: number, ip: string): Promise<ConsentState> {
    const currentVersion = await this.currentTermsVersion();
    if (version < currentVersion) throw termsNotAccepted(currentVersion, `Version ${version} is no longer in force: accept version ${currentVersion}.`);
    if (version > currentVersion && !(await repo.documentVersion(this.db, 'terms', version))) throw notFound('Terms version');
    await repo.insertAcceptance(this.db, { userId, version, ip });
    this.remember(userId, version);
    return this.consentState(userId);
  }

  /** The gate of money-moving routes (gate.ts): 403 TERMS_NOT_ACCEPTED unless the user accepted the version in force. */
  async assertTermsAccepted(userId: string): Promise<void> {
    const current = await this.cachedCurrentVersion();
    const known = this.accepted.get(userId);
    if (known !== undefined && known >= current) return;
    const last = await repo.latestAcceptance(this.db, userId);
    if (last) this.remember(userId, last.version);
    if (!last || last.version < current) throw termsNotAccepted(current);
  }

  private remember(userId: string, version: number): void {
    if (this.accepted.size >= ACCEPTED_CACHE_MAX) this.accepted.clear();
    this.accepted.set(userId, Math.max(version, this.accepted.get(userId) ?? 0));
  }

  // --- Countries -------------------------------------------------------------------------------------------------

  isBlocked(country: string | null): boolean {
    return country !== null && this.platform.config.geo.blockedCountries.includes(country);
  }
}
