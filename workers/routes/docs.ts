import { Scalar } from "@scalar/hono-api-reference";
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import pkg from "../../package.json";
import type { AppEnv } from "../env";

export const OPENAPI_PATH = "/api/v1/openapi.json";

/** The OpenAPI 3.1 document, generated from the routes' zod schemas, and interactive docs at /docs. */
export function mountDocs(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key: Authorization: Bearer <key>",
  });
  registerUnversionedRoutes(app);
  app.doc31(OPENAPI_PATH, {
    openapi: "3.1.0",
    info: {
      title: "Chattr API",
      version: pkg.version,
      description: "The Chatacter backend's chat API: characters that answer in text, speech and video.",
    },
    servers: [{ url: "http://localhost:8000", description: "npm start" }],
    security: [{ apiKey: [] }],
  });
  // The viewer's script is served from this Worker's static assets, so the docs work offline.
  app.get("/docs", Scalar({ url: OPENAPI_PATH, cdn: "/vendor/scalar-api-reference.js", pageTitle: "Chattr API" }));
}

/**
 * Webhooks and assets are plain Hono routes (they answer providers and media elements, not API
 * clients, and need no zod body), so they are described here to keep the document complete.
 */
function registerUnversionedRoutes(app: OpenAPIHono<AppEnv>) {
  const requestId = z.object({ request_id: z.string() });
  const noKey = { security: [] as Record<string, string[]>[] };
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/webhooks/replicate/{request_id}",
    summary: "Replicate's prediction events for a media job (signed; no API key)",
    description:
      "Verified with webhook-id, webhook-timestamp and webhook-signature (HMAC-SHA256, 5-minute window). A repeated webhook id is acknowledged and ignored; a job never moves backwards.",
    request: { params: requestId },
    responses: { 200: { description: "Accepted (or ignored as a repeat)" }, 401: { description: "Bad signature or stale timestamp: nothing changes" } },
    ...noKey,
  });
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/webhooks/cog/{request_id}",
    summary: "A self-hosted Cog server's prediction events for a media job",
    description: "Authenticated by Cog's WEBHOOK_AUTH_TOKEN bearer or the job's URL token (`?token=`), compared in constant time.",
    request: { params: requestId, query: z.object({ token: z.string().optional() }) },
    responses: { 200: { description: "Accepted" }, 401: { description: "Bad token: nothing changes" } },
    ...noKey,
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/assets/{folder}/{file}",
    summary: "Generated audio, video and thumbnails, from R2",
    description: "Public capability URLs (unguessable names). Supports Range (206/416), ETag/If-None-Match (304), and long-lived Cache-Control.",
    request: { params: z.object({ folder: z.enum(["audio", "video"]), file: z.string() }) },
    responses: {
      200: { description: "The file" },
      206: { description: "A byte range of the file" },
      304: { description: "Not modified" },
      404: { description: "No such file" },
    },
    ...noKey,
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/assets/avatars/{file}",
    summary: "A character's avatar (from a PNG card import), from R2",
    description: "`{character_id}.png`; ETag/If-None-Match; a short cache, since a re-import replaces the image.",
    request: { params: z.object({ file: z.string() }) },
    responses: { 200: { description: "The PNG" }, 304: { description: "Not modified" }, 404: { description: "No such avatar" } },
    ...noKey,
  });
}
