export const BUILD_INPUTS: readonly string[];
export const BUILD_OUTPUTS: readonly string[];
export const STAMP_FILE: string;
export function inputStamp(base: string): { stamp: string; files: number };
export function buildIsCurrent(base: string, stamp: string): boolean;
export function writeStamp(base: string, stamp: string, files: number): void;
