import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { ApiError } from "./api-error";
import type { AppEnv } from "./env";
import { accessLog } from "./middleware/access-log";
import { assetRateLimit } from "./middleware/asset-rate-limit";
import { auth } from "./middleware/auth";
import { cors } from "./middleware/cors";
import { notFound, onError } from "./middleware/errors";
import { pathEncoding } from "./middleware/path-encoding";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { validationHook } from "./middleware/validation";
import { webhookAuthLimit } from "./middleware/webhook-auth-limit";
import { avatarRoutes } from "./routes/assets/avatars";
import { characterRoutes } from "./routes/characters";
import { chatRoutes } from "./routes/chat";
import { keyRoutes } from "./routes/keys";
import { lorebookRoutes } from "./routes/lorebooks";
import { memoryRoutes } from "./routes/memories";
import { wsRoutes } from "./routes/ws/chat";
import { mountDocs, OPENAPI_PATH } from "./routes/docs";
import { opsRoutes } from "./routes/ops";
import { assetRoutes } from "./routes/assets";
import { mediaRoutes } from "./routes/media";
import { webhookRoutes } from "./routes/webhooks";
import { voiceFileRoutes } from "./routes/voices";

// Bodies are JSON of one message (16 KB) plus context; anything far larger is refused before parsing.
const MAX_BODY_BYTES = 64 * 1024;

/** Routes anyone may call without a key. */
const PUBLIC_PATHS: string[] = [
  "/api/v1/health",
  // WebSocket clients authenticate with their first frame.
  "/api/v1/ws/chat",
  OPENAPI_PATH,
];

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  // Liveness with no middleware at all: also the benchmarks' baseline for what the runtime costs alone.
  app.get("/ping", (c) => c.text("pong"));
  app.use("*", requestId());
  app.use("*", accessLog());
  // Before auth, so a browser's preflight (which carries no key) is answered.
  app.use("*", cors());
  app.use(
    "/api/*",
    // Card imports and lorebook uploads take files up to 2 MiB, voice samples up to 10 MiB, and set their
    // own limits (routes/characters/import.ts, routes/lorebooks/document.ts, routes/characters/voice.ts).
    except(
      ["/api/v1/characters/import", "/api/v1/lorebooks", "/api/v1/lorebooks/:id", "/api/v1/characters/:id/voice"],
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new ApiError("INVALID_REQUEST", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
        },
      }),
    ),
  );
  app.use("/api/*", pathEncoding());
  // Auth refuses an address that has spent its failed-auth budget before looking its key up.
  app.use("/api/v1/*", except(PUBLIC_PATHS, auth()));
  // After auth: keys are limited by their id, public routes by the client's IP.
  app.use("/api/v1/*", rateLimit());

  app.route("/api/v1/chat", chatRoutes);
  app.route("/api/v1/characters", characterRoutes);
  app.route("/api/v1/lorebooks", lorebookRoutes);
  app.route("/api/v1/memories", memoryRoutes);
  app.route("/api/v1/keys", keyRoutes);
  app.route("/api/v1/ws", wsRoutes);
  mountDocs(app);
  app.route("/api/v1", opsRoutes);
  app.route("/api/v1/media", mediaRoutes);
  // Outside /api/v1, so not behind the API key: webhooks prove themselves, assets are capability URLs.
  // Webhooks that fail verification spend the address's failed-auth budget; assets have a generous limit.
  app.use("/webhooks/*", webhookAuthLimit());
  app.use("/assets/*", assetRateLimit());
  app.route("/webhooks", webhookRoutes);
  // Avatars first: a re-imported card replaces its image under the same path, so they are not immutable.
  app.route("/assets/avatars", avatarRoutes);
  // Voice samples: a new one replaces the file under the same path, like avatars.
  app.route("/assets/voices", voiceFileRoutes);
  app.route("/assets", assetRoutes);

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
