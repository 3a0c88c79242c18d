# syntax=docker/dockerfile:1
# Ballast controller image: `docker build -t ballast .` then `docker run ballast` runs `ballast run`.
# deploy/README.md walks through running it as a Fargate task.

# --- build: bundle the TypeScript into dist/ (needs the dev dependencies) ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds from src/, which is not copied yet; the build runs below, after the source.
RUN npm ci --ignore-scripts --no-audit --no-fund
# esbuild reads tsconfig.json as the tests' build does.
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, the bundled code and the launcher ---
FROM node:24-slim AS runtime
# The controller follows its Git repository with the git CLI (over HTTPS) and checks commit signatures with
# ssh-keygen and gpg (--allowed-signers, --gpg-keyring). Versions are not pinned (hadolint
# DL3008): the slim base moves with Debian security updates and pinned versions would stop resolving.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client gnupg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs the build, whose tools are dev dependencies not installed here (dist/ comes from
# the build stage).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# Price tables of `ballast cost` and the plan cost deltas.
COPY prices ./prices
# Root owns the code, so the process cannot change it; the clone lives in the OS temp dir (/tmp).
USER node
# /healthz, /readyz, /metrics, /status and the Git webhook.
EXPOSE 8080
# No HEALTHCHECK: ECS Fargate ignores it; deploy/task-definition.json has its own health check on /healthz.
# Exec form without an init (no tini, no --init): node is PID 1 and receives SIGTERM itself, and `ballast run`
# handles it (stops taking work, finishes the call in flight, exits 0). The task definition turns on ECS's
# initProcessEnabled only to reap git's orphaned helper processes.
ENTRYPOINT ["node", "bin/ballast.js"]
CMD ["run"]
