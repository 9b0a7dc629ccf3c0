import { createRoute } from "@hono/zod-openapi";
import { SessionLorebooks, SessionLorebooksRequest } from "../../../shared/schemas/lorebooks";
import { ApiError, unwrap } from "../../api-error";
import { getDb } from "../../db/client";
import { missingLorebookIds } from "../../db/lorebooks";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams } from "../session-param";

const getRoute = createRoute({
  method: "get",
  path: "/sessions/{session_id}/lorebooks",
  summary: "The lorebooks attached to a session (beside the character's)",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionLorebooks, "The session's lorebooks"), ...errorResponses },
});

const putRoute = createRoute({
  method: "put",
  path: "/sessions/{session_id}/lorebooks",
  summary: "Attach lorebooks to a session (replaces the list; a session nobody owns yet becomes the caller's)",
  request: { params: SessionParams, body: jsonBody(SessionLorebooksRequest) },
  responses: { 200: jsonResponse(SessionLorebooks, "The session's lorebooks"), ...errorResponses },
});

export const sessionLorebooks = createRouter()
  .openapi(getRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    const ids = unwrap(await sessionStub(c.env, session_id).sessionLorebooks(c.get("caller")));
    return c.json({ session_id, lorebook_ids: ids }, 200);
  })
  .openapi(putRoute, async (c) => {
    const { session_id } = c.req.valid("param");
    const { lorebook_ids } = c.req.valid("json");
    const missing = await missingLorebookIds(getDb(c.env.DB), lorebook_ids);
    if (missing.length > 0) throw new ApiError("NOT_FOUND", `No lorebook ${missing.join(", ")}`, { lorebook_ids: missing });
    c.set("sessionId", existingSessionShape(session_id));
    const ids = unwrap(await sessionStub(c.env, session_id).setSessionLorebooks(c.get("caller"), session_id, lorebook_ids));
    return c.json({ session_id, lorebook_ids: ids }, 200);
  });
