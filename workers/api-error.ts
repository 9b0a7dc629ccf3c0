import { ERROR_STATUS, type ErrorCode } from "../shared/errors";
import type { ErrorBody } from "../shared/schemas/common";

/** The one error type handlers throw; the error handler turns it into the ARCHITECTURE.md body. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** The ARCHITECTURE.md error body, for JSON answers and SSE `error` events alike. */
export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown, retryAfterSeconds?: number): ErrorBody {
  return {
    error: {
      code,
      message,
      request_id: requestId,
      ...(details === undefined ? {} : { details }),
      ...(retryAfterSeconds === undefined ? {} : { retry_after_seconds: retryAfterSeconds }),
    },
  };
}

/** A Durable Object answers RPC calls with this shape, since thrown errors lose their class across RPC. */
/** `cause` is for the logs only: it may hold a provider's own words, which clients never see. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; details?: unknown; cause?: string };

export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new ApiError(outcome.code, outcome.message, outcome.details);
}
