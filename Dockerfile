# One image for the api and the projector (switchboard:local in docker-compose.yml, built once);
# docker-compose picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The projector's snapshot directory (PROJECTOR_DATA_DIR in docker-compose.yml), owned by the user the
# apps run as: a named volume mounted here starts with this owner, so snapshots can be written.
RUN mkdir -p /var/lib/switchboard/projector && chown -R node:node /var/lib/switchboard
USER node
CMD ["node", "dist/apps/api/src/main.js"]
