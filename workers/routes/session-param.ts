import { z } from "@hono/zod-openapi";
import { PathId, SessionId } from "../../shared/schemas/common";
import { ApiError } from "../api-error";

/** A session id as a path names it: any plausible id, so an unknown one is 404 whatever its shape. */
export const SessionParams = z.object({ session_id: PathId.describe("A session id (1-128 characters of A-Z a-z 0-9 _ . : -)") });

/**
 * A session id that no session can have (sessions are created only with well-formed ids) is 404 here,
 * without naming a Durable Object after it.
 */
export function existingSessionShape(sessionId: string): string {
  if (!SessionId.safeParse(sessionId).success) throw new ApiError("NOT_FOUND", "No such session");
  return sessionId;
}
