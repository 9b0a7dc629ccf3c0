import { Scalar } from "@scalar/hono-api-reference";
import type { OpenAPIHono } from "@hono/zod-openapi";
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
