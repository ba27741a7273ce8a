# One image for the API, the Temporal worker and the one-shot setup (migrations + seed).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies are left out; TypeScript runs through tsx (a dependency) at start.
RUN npm ci --omit=dev --omit=optional && npm cache clean --force
COPY lib lib
COPY db db
COPY workflows workflows
COPY activities activities
COPY api api
COPY worker worker
COPY scripts/setup.ts scripts/setup.ts
# DATA_DIR: uploads and the first-start credentials file; a named volume mounted here starts
# with this owner, so the unprivileged user can write it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
