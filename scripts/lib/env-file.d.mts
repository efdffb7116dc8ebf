export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}
export function parseEnvFile(text: string): { entries: EnvEntry[]; errors: string[] };
export function planSecrets(input: { entries: EnvEntry[]; flyEnv: Record<string, unknown>; known: readonly string[] }): {
  send: { name: string; value: string }[];
  skipped: { name: string; reason: string }[];
  problems: string[];
};
export function importInput(send: { name: string; value: string }[]): string;
