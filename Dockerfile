# One image for every mcp-audit role (ingest, detector, notifier, api, migrate): the command picks
# the role. Node 24 runs the TypeScript sources directly (type stripping), so there is no build
# step, only the production dependencies. Not built in CI here: these machines have no Docker engine.

# --- stage 1: production dependencies, resolved exactly from the lock file ---
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: vitest, typescript and the pinned `node` npm package are for development only;
# --ignore-scripts: no dependency needs an install script at runtime, so none runs at build time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- stage 2: runtime ---
FROM node:24-slim AS runtime
# Services listen on all interfaces inside the container (healthchecks, Prometheus, compose network).
ENV NODE_ENV=production \
    MCP_AUDIT_HEALTH_HOST=0.0.0.0 \
    MCP_AUDIT_API_HOST=0.0.0.0
WORKDIR /app
# Files stay owned by root and only readable by the service user, so a compromised process cannot
# change the code it runs.
COPY --from=deps /app/node_modules ./node_modules
# The sources (what .dockerignore leaves: no tests, benches, local stack data, .git or .env files).
COPY . .
# The built-in `node` user (uid 1000): nothing in the container runs as root.
USER node
# Ingest, detector and notifier health servers, and the API.
EXPOSE 9464 9465 9466 8080
ENTRYPOINT ["node", "bin/mcp-audit.js"]
CMD ["--help"]
