export interface VercelRewrite {
  source: string;
  destination: string;
}
export interface VercelHeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}
export interface VercelConfig {
  $schema: string;
  framework: string;
  buildCommand: string;
  outputDirectory: string;
  rewrites: VercelRewrite[];
  headers: VercelHeaderRule[];
}
export const API_PATHS: string[];
export function parseApiOrigin(raw: string | undefined): string;
export function securityHeaders(apiOrigin: string): { key: string; value: string }[];
export function vercelConfig(env: Record<string, string | undefined>): VercelConfig;
