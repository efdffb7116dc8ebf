export interface VercelTransform {
  type: 'request.headers' | 'request.query' | 'response.headers';
  op: 'set' | 'append' | 'delete';
  target: { key: string };
  args?: string;
  env?: string[];
}
export type VercelRoute =
  | { src: string; headers: Record<string, string>; continue: true }
  | { src: string; dest: string; transforms?: VercelTransform[] }
  | { handle: 'filesystem' };
export interface VercelConfig {
  $schema: string;
  framework: string;
  buildCommand: string;
  outputDirectory: string;
  routes: VercelRoute[];
}
export const EDGE_SECRET_HEADER: string;
export const API_ROUTES: { src: string; path: string }[];
export function parseApiOrigin(raw: string | undefined): string;
export function securityHeaders(apiOrigin: string): { key: string; value: string }[];
export function vercelConfig(env: Record<string, string | undefined>): VercelConfig;
