# Hoist as a container image:
#   docker build -t hoist .
#   docker run -d --name hoist -p 8080:8080 -v /var/run/docker.sock:/var/run/docker.sock -v hoist-data:/data hoist
# The README's "Run it as a container" has the rest (compose, Swarm stack, non-root, read-only).
#
# Plain multi-stage syntax: Docker's legacy builder builds it as well as BuildKit.
# NODE_IMAGE builds (it needs node and npm); the runtime stage is RUNTIME_IMAGE with only
# NODE_IMAGE's node binary added, so the two must share a C library (both Debian).
# Few instructions on purpose: on some storage drivers (vfs) each one copies the whole tree.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json /src/
RUN cd /src && npm ci --no-audit --no-fund
COPY . /src/
# Server, CLI and web UI; then /out, the runtime stage's files: node, production packages
# without what nothing loads at run time (type declarations, source maps, docs, each package's
# own tests, examples and benchmarks (about 12 MB), and better-sqlite3's sources and build
# files but its compiled module), `hoist` on PATH.
RUN cd /src \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && sqlite=node_modules/better-sqlite3 \
 && mv $sqlite/build/Release/better_sqlite3.node /tmp/ \
 && rm -rf $sqlite/build $sqlite/deps $sqlite/src \
 && mkdir -p $sqlite/build/Release \
 && mv /tmp/better_sqlite3.node $sqlite/build/Release/ \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
      -o -name '*.map' -o -name '*.md' \) -delete \
 && find node_modules -regextype posix-extended -type d \
      -regex '(.*/)?node_modules/(@[^/]+/)?[^/]+/(test|tests|__tests__|examples?|bench|benchmarks?|docs)' \
      -prune -exec rm -rf {} + \
 && find node_modules -type d -empty -delete \
 && mkdir -p /out/app/web /out/usr/local/bin /out-data/data \
 && cp -a package.json node_modules bin dist /out/app/ \
 && cp -a web/dist /out/app/web/ \
 && cp /usr/local/bin/node /out/usr/local/bin/ \
 && ln -s /app/bin/hoist.js /out/usr/local/bin/hoist \
 && chmod 0700 /out-data/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/ /
# /data belongs to uid 1000 so Hoist can also run as that user (--user 1000 with
# --group-add of the socket's group); root can use it either way.
COPY --from=build --chown=1000:1000 /out-data/ /
# SQLITE_TMPDIR: better-sqlite3 is built without SQLITE_TEMP_STORE=3, so SQLite's temporary
# files (large sorts, index builds) would go to /tmp, which --read-only makes unwritable.
ENV NODE_ENV=production HOIST_DATA_DIR=/data HOIST_PORT=8080 SQLITE_TMPDIR=/data
WORKDIR /app
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/dist/healthcheck.js"]
ENTRYPOINT ["hoist"]
CMD ["server"]
