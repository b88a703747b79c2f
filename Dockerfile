# entra-notion-sync container: the worker by default (`docker run IMAGE sync` for one cycle).
# Multi-stage: the build stage compiles TypeScript and prunes to production dependencies; the runtime stage holds
# only what runs. .ci/dockerfile-commands.sh replays these commands outside Docker in CI.
# The base is pinned to an exact Node 22 LTS release (bump it deliberately, with the CI's Node 22 version).

FROM node:22.23.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22.23.5-bookworm-slim AS runtime
# Image metadata (OCI annotations). Pass --build-arg VERSION=… REVISION=… when building a release.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="entra-notion-sync" \
      org.opencontainers.image.description="Provisions users and groups from Microsoft Entra ID into Notion over SCIM 2.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/node:22.23.5-bookworm-slim"
# tini is PID 1: it forwards SIGTERM to node and reaps children (docker run --init is not part of the image).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# The embedded store (PGlite) lives in /data unless DATABASE_URL points at Postgres. There is deliberately no
# VOLUME: an anonymous volume is a new, empty store on every `docker run`, and a store that forgets its links never
# deprovisions anyone. Mount a named volume (-v entra-notion-sync-data:/data) or set DATABASE_URL.
RUN mkdir -p /data && chown 1000:1000 /data
ENV NODE_ENV=production DATA_DIR=/data HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY LICENSE ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied by the process before its first cycle; the Notion default mapping and example config.
COPY drizzle ./drizzle
COPY config ./config
# The simulators' public CA and certificate only: their private key stays out of the image, so `demo` and
# `sim graph` refuse to start here (run them from a source checkout).
COPY src/sim/tls/ca.pem src/sim/tls/server.pem ./src/sim/tls/
# The image's `node` user, by number so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Health and metrics of the worker (/healthz, /readyz, /metrics).
EXPOSE 8080
# Healthy when the worker's /healthz answers 200. Only the worker has a health port: when PID 1 (tini) runs another
# command, such as a one-shot `sync`, there is nothing to probe and the check passes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const p = process.env.HTTP_PORT; if (!p || !require('node:fs').readFileSync('/proc/1/cmdline', 'utf8').split('\\0').includes('worker')) process.exit(0); require('node:http').get({ host: '127.0.0.1', port: p, path: '/healthz', timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "dist/cli/main.js"]
CMD ["worker"]
