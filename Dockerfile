# --- build: full dependencies (Nest CLI, TypeScript) to compile dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs its install script to build or run here (npm 11, used in
# development, skips them too), and it keeps @scarf/scarf's install-time telemetry out.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production dependencies only, installed apart so no dev package leaks in ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL binaries come along as an optional dependency but are never loaded
# here: the container always gets DATABASE_URL.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Files stay owned by root: the app only reads them, so a compromised process cannot rewrite code,
# and a forgotten DATABASE_URL fails fast (EACCES on var/) instead of starting an embedded PostgreSQL.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The admin UI, built by Vite in the build stage; served at /admin.
COPY --from=build /app/admin/dist ./admin/dist
# package.json carries "type": "module": without it Node would load dist/ as CommonJS.
COPY package.json ./
USER node
EXPOSE 3000
# Readiness (database reachable), not mere liveness. No curl in slim images: Node 20 has fetch.
# start-period covers migrations, which run before the server listens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself, so it can drain in-flight requests.
CMD ["node", "dist/src/main.js"]
