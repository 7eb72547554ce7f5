# syntax=docker/dockerfile:1
# One image per service, from one Dockerfile:  docker build --build-arg SERVICE=gateway .
# The build stage runs scripts/image/build.sh, the same script the test suite runs (and starts
# the result of, with the same entry point), since no Docker engine builds it there.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY proto proto
COPY libs libs
COPY services services
COPY scripts scripts
# Dev dependencies (TypeScript, buf, ts-proto) stay in this stage; npm ci generates the contracts.
RUN npm ci --no-audit --no-fund
ARG SERVICE
RUN test -n "$SERVICE" && bash scripts/image/build.sh "$SERVICE" /out

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production
# Only the built service, the libs' dist/ and production dependencies; no npm cache, no sources.
# npm and corepack are build tools: not in the running image.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
COPY --from=build --chown=root:root /out /app
WORKDIR /app/services/${SERVICE}
# The image's own unprivileged user (uid 1000); the root filesystem can be read-only.
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=16", "--max-old-space-size=160", "dist/main.js"]
