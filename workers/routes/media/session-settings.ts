import { createRoute } from "@hono/zod-openapi";
import { SessionMediaSettingsResponse, SessionMediaSettingsUpdate } from "../../../shared/schemas/media";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams as Params } from "../session-param";

// The session decides who may touch it (NOT_FOUND or FORBIDDEN from its owner check) and keeps the switch.
const getRoute = createRoute({
  method: "get",
  path: "/sessions/{session_id}",
  summary: "A session's media switch (replies with speech and video, as the character allows)",
  request: { params: Params },
  responses: { 200: jsonResponse(SessionMediaSettingsResponse, "The session's media settings"), ...errorResponses },
});

const putRoute = createRoute({
  method: "put",
  path: "/sessions/{session_id}",
  summary: "Turn a session's reply media on or off",
  request: { params: Params, body: jsonBody(SessionMediaSettingsUpdate) },
  responses: { 200: jsonResponse(SessionMediaSettingsResponse, "The session's media settings"), ...errorResponses },
});

export const sessionSettings = createRouter()
  .openapi(getRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    const current = unwrap(await sessionStub(c.env, session_id).getMediaSwitch(c.get("caller")));
    return c.json({ session_id, ...current }, 200);
  })
  .openapi(putRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    const next = unwrap(await sessionStub(c.env, session_id).setMediaSwitch(c.get("caller"), c.req.valid("json")));
    return c.json({ session_id, ...next }, 200);
  });
