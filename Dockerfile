# entra-notion-sync container: the worker by default (`docker run IMAGE sync` for one cycle).
# Multi-stage: the build stage compiles TypeScript and prunes to production dependencies; the runtime stage holds
# only what runs. .ci/dockerfile-commands.sh replays these commands outside Docker in CI.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
# tini is PID 1: it forwards SIGTERM to node and reaps children (docker run --init is not part of the image).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# The embedded store (PGlite) lives in /data unless DATABASE_URL points at Postgres; mount a volume there.
RUN mkdir -p /data && chown node:node /data
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied by the process before its first cycle; the Notion default mapping and example config.
COPY drizzle ./drizzle
COPY config ./config
# The simulators' test certificate authority, read by `demo` and `sim`.
COPY src/sim/tls ./src/sim/tls
USER node
VOLUME ["/data"]
# Health and metrics when HTTP_PORT=8080 is set (off by default).
EXPOSE 8080
ENTRYPOINT ["tini", "--", "node", "dist/cli/main.js"]
CMD ["worker"]
