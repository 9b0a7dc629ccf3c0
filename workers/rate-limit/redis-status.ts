import { log } from "../log";

/**
 * What this isolate saw of Redis while limiting: health reports it, and a failure is logged as one JSON
 * line when Redis starts failing and then at most every LOG_EVERY_MS while it keeps failing.
 */
const LOG_EVERY_MS = 30_000;

interface RedisStatus {
  lastFailureAt?: number;
  lastFailure?: string;
  lastSuccessAt?: number;
  failOpenCount: number;
}

const status: RedisStatus = { failOpenCount: 0 };
let lastLoggedAt = 0;

export function recordRedisFailure(error: unknown, identifierKind: string) {
  const now = Date.now();
  const wasHealthy = status.lastFailureAt === undefined || (status.lastSuccessAt ?? 0) > status.lastFailureAt;
  status.lastFailureAt = now;
  status.lastFailure = error instanceof Error ? error.message : String(error);
  status.failOpenCount++;
  if (wasHealthy || now - lastLoggedAt >= LOG_EVERY_MS) {
    lastLoggedAt = now;
    // The message of a fetch or Upstash error names the command, never the token.
    log("error", "rate_limit_store_failing_open", {
      store: "upstash",
      identifier_kind: identifierKind,
      error: status.lastFailure,
      fail_open_count: status.failOpenCount,
    });
  }
}

export function recordRedisSuccess() {
  status.lastSuccessAt = Date.now();
}

/** Whether the last Redis call of this isolate failed (the limiter is failing open). */
export const redisFailingOpen = () => status.lastFailureAt !== undefined && (status.lastSuccessAt ?? 0) < status.lastFailureAt;
