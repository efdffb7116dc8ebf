export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
export interface Stage {
  name: string | null;
  from: string;
  index: number;
  instructions: Instruction[];
}
export function parseDockerfile(text: string): Instruction[];
export function dockerStages(instructions: Instruction[]): Stage[];
export function execForm(args: string): string[] | null;
export function runtimeCommand(text: string): { cmd: string[] | null; entrypoint: string[] | null };
export function checkDockerfile(text: string, dockerignore?: string, opts?: { nodeMajor?: number }): string[];
export function supportedNodeMajors(packageJsonText?: string): number[];
export function imageNodeMajor(text: string): number | null;
export function durationMs(value: unknown): number | null;
export const DEPLOYMENT_HOST: RegExp;
export function readFlyToml(text: string): Record<string, unknown>;
export function measuredConcurrency(performanceMd?: string): { soft: number; hard: number } | null;
export function checkFlyToml(text: string, opts?: { shutdownTimeoutMs?: number; measured?: { soft: number; hard: number } | null }): string[];
