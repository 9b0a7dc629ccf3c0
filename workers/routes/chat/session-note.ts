import { createRoute } from "@hono/zod-openapi";
import { SessionNote, SessionNoteRequest } from "../../../shared/schemas/lorebooks";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams } from "../session-param";

const getRoute = createRoute({
  method: "get",
  path: "/sessions/{session_id}/note",
  summary: "A session's author's note",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionNote, "The note (content empty: none)"), ...errorResponses },
});

const putRoute = createRoute({
  method: "put",
  path: "/sessions/{session_id}/note",
  summary: "Set a session's author's note: inserted `depth` messages from the end of the history, as `role`",
  request: { params: SessionParams, body: jsonBody(SessionNoteRequest) },
  responses: { 200: jsonResponse(SessionNote, "The note"), ...errorResponses },
});

export const sessionNote = createRouter()
  .openapi(getRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    return c.json({ session_id, ...unwrap(await sessionStub(c.env, session_id).sessionNote(c.get("caller"))) }, 200);
  })
  .openapi(putRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    c.set("sessionId", session_id);
    const note = unwrap(await sessionStub(c.env, session_id).setSessionNote(c.get("caller"), session_id, c.req.valid("json")));
    return c.json({ session_id, ...note }, 200);
  });
