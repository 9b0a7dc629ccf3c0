import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../../shared/errors";
import { ApiError, errorBody } from "../api-error";
import { ConfigError } from "../config";
import type { AppEnv } from "../env";
import { log } from "../log";

function errorResponse(c: Context<AppEnv>, error: ApiError) {
  const body = errorBody(error.code, error.message, c.get("requestId") ?? "unknown", error.details, error.retryAfterSeconds);
  const response = c.json(body, error.status as ContentfulStatusCode);
  if (error.retryAfterSeconds !== undefined) response.headers.set("Retry-After", String(error.retryAfterSeconds));
  return response;
}

// The reference has no 413 or 415: an unreadable body is INVALID_REQUEST (400).
const HTTP_CODES: Record<number, ErrorCode> = {
  400: "INVALID_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "INVALID_REQUEST",
  415: "INVALID_REQUEST",
};

/** Every failure leaves as the JSON error body: no HTML page, no stack trace. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException && HTTP_CODES[err.status]) {
    // Hono's own 400s (malformed JSON and the like) carry a safe, useful message.
    const message = err.status === 415 ? "Content-Type must be application/json" : err.message || "Request body is invalid";
    return errorResponse(c, new ApiError(HTTP_CODES[err.status]!, message));
  }
  log("error", "request_failed", { request_id: c.get("requestId"), error: String(err), stack: (err as Error).stack });
  // It names variables, never their values: the operator sees what to fix from any request.
  if (err instanceof ConfigError) return errorResponse(c, new ApiError("INTERNAL_ERROR", err.message));
  return errorResponse(c, new ApiError("INTERNAL_ERROR", "Internal server error"));
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
