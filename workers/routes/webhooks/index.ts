import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../api-error";
import type { AppEnv } from "../../env";
import { cogWebhook } from "./cog";
import { replicateWebhook } from "./replicate";

// Cog puts finished files into the webhook as data URIs: a minute of video is megabytes.
const MAX_WEBHOOK_BYTES = 64 * 1024 * 1024;

/** Provider callbacks: authenticated by signature or token, not by API key. */
export const webhookRoutes = new Hono<AppEnv>()
  .use(
    "*",
    bodyLimit({
      maxSize: MAX_WEBHOOK_BYTES,
      onError: () => {
        throw new ApiError("INVALID_REQUEST", `Webhook body is larger than ${MAX_WEBHOOK_BYTES} bytes`);
      },
    }),
  )
  .route("/", replicateWebhook)
  .route("/", cogWebhook);
