/** The legacy module's public surface: the one-off import from the original system (cli/import-legacy.ts). */
export { type ImportOptions, type ImportReport, type OnAnomaly, runImport } from './importer.ts';
export { type LegacySource, openDump, openMongo } from './source.ts';
export { type VerifyReport, verifyImport } from './verify.ts';
