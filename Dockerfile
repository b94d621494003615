# syntax=docker/dockerfile:1
# The RegistryService image: built in one stage, run from a second with production dependencies
# only, as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN corepack enable && corepack prepare pnpm@9.15.9 --activate
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json turbo.json tsconfig.base.json vitest.shared.ts ./
COPY packages ./packages
COPY services ./services
COPY scripts ./scripts
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --filter=@giotto/registry... --filter=@giotto/cli...
# A self-contained copy of the service and the CLI with production dependencies only.
RUN pnpm deploy --filter=@giotto/registry --prod /out/registry \
 && pnpm deploy --filter=@giotto/cli --prod /out/cli

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    REGISTRY_DATA_DIR=/data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=9464
WORKDIR /app
COPY --from=build --chown=node:node /out/registry ./registry
COPY --from=build --chown=node:node /out/cli ./cli
RUN mkdir -p /data && chown node:node /data && chmod 700 /data \
 && ln -s /app/cli/dist/main.js /usr/local/bin/giotto-registry
USER node
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "registry/dist/main.js"]
