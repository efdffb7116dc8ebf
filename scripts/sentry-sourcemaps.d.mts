export interface Artifact {
  path: string;
  name: string;
}
export function artifacts(dir: string, prefix: string): Artifact[];
export function uploadSourceMaps(opts: {
  sentryUrl: string;
  token: string;
  org: string;
  release: string;
  targets: { project: string; files: Artifact[] }[];
  dryRun?: boolean;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
}): Promise<{ project: string; name: string; status: string }[]>;
