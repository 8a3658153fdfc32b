# policygate's container image: compiled with the full toolchain, shipped with only what
# `policygate serve` runs. Build from the repository root:  docker build -t policygate:0.1.0 .
#
# Base images are pinned by tag. Add the digest when you build (`image:tag@sha256:...`, from
# `docker buildx imagetools inspect image:tag`): the machines this file was written on reach no image
# registry, so no digest could be looked up and written here.
# - build stages: node:24.21.0-bookworm-slim, the Node release package-lock.json pins for development
#   (the `node` dependency; a test keeps the two equal), on the runtime image's Debian 12 (bookworm).
# - runtime: distroless Node.js 24 on Debian 12, tag "nonroot": Node.js and the libraries it links,
#   no shell, no package manager; its "nonroot" user is uid/gid 65532.

# 1. Compile TypeScript, with the dev dependencies.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency runs code at build time, and the `node` dependency's Node 24 binary
# (for machines whose own Node is older) is not fetched: this image has its own Node 24, on which
# bin/policygate.js runs the CLI directly.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# 2. The production dependencies alone.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. What runs: Node, production dependencies, compiled output, the launcher. Nothing is written at
# run time, so the root filesystem can be (and in deploy/ is) read-only.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# package.json is needed at run time: it makes dist/ ES modules ("type": "module") and holds the version.
COPY package.json ./
COPY bin ./bin
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 8443
# Node directly (there is no shell); the Deployment's args replace CMD with `serve --config ...`.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/policygate.js"]
CMD ["serve"]
