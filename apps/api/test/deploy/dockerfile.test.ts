import { describe, expect, it } from 'vitest';
import { checkDockerfile, dockerStages, imageNodeMajor, parseDockerfile, runtimeCommand, supportedNodeMajors } from '../../../../scripts/lib/deploy-files.mjs';
import { readRepoFile, reportBlock } from './paths.ts';

const dockerfile = readRepoFile('Dockerfile');
const dockerignore = readRepoFile('.dockerignore');

/** Replace one exact piece of the real Dockerfile; fails loudly if the piece is gone (the test would be void). */
function mutate(from: string | RegExp, to: string): string {
  const next = dockerfile.replace(from, to);
  expect(next, `mutation target ${String(from)} not found`).not.toBe(dockerfile);
  return next;
}

describe('Dockerfile', () => {
  it('passes every image rule', () => {
    expect(checkDockerfile(dockerfile, dockerignore)).toEqual([]);
  });

  it('has dependencies, build and runtime stages, and runs tini then node on the compiled server', () => {
    const names = dockerStages(parseDockerfile(dockerfile)).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(names.at(-1)).toBe('runtime');
    expect(runtimeCommand(dockerfile)).toEqual({ entrypoint: ['/usr/bin/tini', '--'], cmd: ['node', '--enable-source-maps', 'apps/api/dist/server.js'] });
  });

  it('runs the newest Node.js major that package.json engines supports (the LTS line)', () => {
    expect(supportedNodeMajors()).toEqual([20, 26]);
    expect(imageNodeMajor(dockerfile)).toBe(26);
    expect(imageNodeMajor(['ARG V=22.1', 'FROM node:$V-slim AS runtime', ''].join('\n'))).toBe(22);
  });

  it('joins continuation lines and skips comments', () => {
    const ins = parseDockerfile('# c\nFROM a AS b\nRUN one \\\n  # inner\n  two\nCMD ["x"]\n');
    expect(ins.map((i) => [i.keyword, i.args])).toEqual([
      ['FROM', 'a AS b'],
      ['RUN', 'one two'],
      ['CMD', '["x"]'],
    ]);
  });

  // Each rule is shown able to fail on a Dockerfile that breaks exactly that rule.
  const broken: [string, string, RegExp][] = [
    ['runs as root', mutate(/^USER node$/m, 'USER root'), /non-root USER/],
    ['has no USER', mutate(/^USER node\n/m, ''), /non-root USER/],
    ['health check with curl', mutate(/CMD \["node", "-e", "fetch[^\n]+/, 'CMD curl -f http://localhost:8001/health || exit 1'), /curl/],
    ['no health check', mutate(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, ''), /HEALTHCHECK/],
    ['shell-form CMD', mutate('CMD ["node", "--enable-source-maps", "apps/api/dist/server.js"]', 'CMD node apps/api/dist/server.js'), /exec form/],
    ['npm as the process', mutate('CMD ["node", "--enable-source-maps", "apps/api/dist/server.js"]', 'CMD ["npm", "start"]'), /does not forward SIGTERM/],
    [
      'no runtime source maps',
      mutate('CMD ["node", "--enable-source-maps", "apps/api/dist/server.js"]', 'CMD ["node", "apps/api/dist/server.js"]'),
      /--enable-source-maps/,
    ],
    ['no init', mutate(/^ENTRYPOINT .*\n/m, ''), /init process/],
    ['no EXPOSE', mutate(/^EXPOSE 8001\n/m, ''), /EXPOSE 8001/],
    ['dev dependencies in runtime', mutate('COPY --from=prod-deps /app/node_modules', 'COPY --from=deps /app/node_modules'), /development dependencies/],
    ['full install in runtime', mutate('WORKDIR /app\n# Root-owned', 'WORKDIR /app\nRUN npm ci\n# Root-owned'), /without --omit=dev/],
    ['runtime built on the build stage', mutate(/FROM node:\$\{NODE_VERSION\}-trixie-slim AS runtime/, 'FROM build AS runtime'), /inherits/],
    ['sources in runtime', mutate('COPY --from=build /app/apps/api/dist apps/api/dist', 'COPY . .'), /copies sources/],
    [
      'build output from the whole build stage',
      mutate('COPY --from=build /app/apps/api/dist apps/api/dist', 'COPY --from=build /app /app'),
      /more than compiled output/,
    ],
    ['an unsupported Node.js line', mutate(/^ARG NODE_VERSION=.*$/m, 'ARG NODE_VERSION=20.20'), /must run Node\.js 26/],
    ['single stage', 'FROM node:20-slim\nCOPY . .\nUSER node\nEXPOSE 8001\nCMD ["node","server.js"]\n', /multi-stage/],
  ];
  it.each(broken)('rejects a Dockerfile that %s', (_name, text, problem) => {
    const problems = checkDockerfile(text, dockerignore);
    expect(
      problems.some((p) => problem.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('rejects the Dockerfile proposed by the January 2026 report', () => {
    const seed = reportBlock('dockerfile');
    const problems = checkDockerfile(seed);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/multi-stage|build/), expect.stringMatching(/copies sources/), expect.stringMatching(/init process/)]),
    );
  });
});

describe('.dockerignore', () => {
  it('keeps local installs, builds, git history and secrets out of the build context', () => {
    expect(checkDockerfile(dockerfile, dockerignore)).toEqual([]);
    for (const needed of ['node_modules', '.env', '.git', 'dist']) {
      const without = dockerignore
        .split('\n')
        .filter((l) => !l.replace('**/', '').replace(/\/$/, '').startsWith(needed) || l.startsWith('!') || (needed === '.env' && l.includes('.env.')))
        .join('\n');
      expect(checkDockerfile(dockerfile, without).join('\n')).toContain(needed);
    }
  });
});
