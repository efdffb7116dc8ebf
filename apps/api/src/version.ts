import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** What build.mjs stamps into dist/build-info.json. */
export interface BuildInfo {
  /** The git commit the bundle was built from (GIT_COMMIT in the image build, `git rev-parse HEAD` otherwise). */
  commit: string | null;
  builtAt: string;
}

function readJson<T>(path: string): T | null {
  // Works from src/ (tsx, vitest: no stamp) and from dist/ (bundled chunks sit in dist/, one level under the package).
  try {
    return require(path) as T;
  } catch {
    return null;
  }
}

export const PACKAGE_VERSION: string = readJson<{ version?: string }>('../package.json')?.version ?? '0.0.0';
export const BUILD_INFO: BuildInfo | null = readJson<BuildInfo>('./build-info.json');

/**
 * The release identity used everywhere (logs, /api/config, /health, Sentry's release, OpenTelemetry's
 * service.version): the commit the build was stamped with, else Fly's image reference (one per deploy), else the
 * package version marked as a source run. A Sentry release name may not contain "/", so the image reference keeps
 * only its last path segment (`cryptovault-api:deployment-01J…`).
 */
export function releaseVersion(build: BuildInfo | null, flyImageRef: string | null | undefined, packageVersion = PACKAGE_VERSION): string {
  if (build?.commit) return build.commit;
  const ref = flyImageRef?.trim();
  if (ref) return ref.slice(ref.lastIndexOf('/') + 1);
  return `${packageVersion}-dev`;
}
