import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { ApiError } from "./api-error";
import type { AppEnv } from "./env";
import { auth } from "./middleware/auth";
import { notFound, onError } from "./middleware/errors";
import { requestId } from "./middleware/request-id";
import { validationHook } from "./middleware/validation";
import { avatarRoutes } from "./routes/assets/avatars";
import { characterRoutes } from "./routes/characters";
import { chatRoutes } from "./routes/chat";
import { keyRoutes } from "./routes/keys";
import { wsRoutes } from "./routes/ws/chat";

// Bodies are JSON of one message (16 KB) plus context; anything far larger is refused before parsing.
const MAX_BODY_BYTES = 64 * 1024;

/** Routes anyone may call without a key. */
const PUBLIC_PATHS: string[] = [
  // WebSocket clients authenticate with their first frame.
  "/api/v1/ws/chat",
];

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", requestId());
  app.use(
    "/api/*",
    // Card imports take files up to 2 MiB and set their own limit (routes/characters/import.ts).
    except("/api/v1/characters/import", bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("INVALID_REQUEST", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    })),
  );
  app.use("/api/v1/*", except(PUBLIC_PATHS, auth()));

  app.route("/api/v1/chat", chatRoutes);
  app.route("/api/v1/characters", characterRoutes);
  app.route("/api/v1/keys", keyRoutes);
  app.route("/api/v1/ws", wsRoutes);
  app.route("/assets/avatars", avatarRoutes);

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
