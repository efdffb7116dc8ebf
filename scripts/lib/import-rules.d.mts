import type { IForbiddenRuleType } from 'dependency-cruiser';

export const forbidden: IForbiddenRuleType[];
export function checkImports(opts: { baseDir: string; paths?: string[] }): Promise<{ violations: string[]; cruised: number }>;
