import type { ErrorCode } from "../errors";

/** An error the API answered (or a frame it sent), with the API's error code. */
export class ChatacterError extends Error {
  override name = "ChatacterError";

  constructor(
    readonly code: ErrorCode | "NETWORK_ERROR",
    message: string,
    readonly status?: number,
    readonly requestId?: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
