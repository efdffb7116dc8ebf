/** The audit module's public surface: the audit log, written inside the caller's transaction. */
export { type AuditEntry, type AuditQuery, listAudit, recordAudit } from './audit.repo.ts';
