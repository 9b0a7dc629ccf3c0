import { createRoute } from "@hono/zod-openapi";
import { GroupSession, UpdateMembersRequest } from "../../../../shared/schemas/sessions";
import { unwrap } from "../../../api-error";
import { sessionStub } from "../../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../../openapi";
import { existingSessionShape, SessionParams } from "../../session-param";
import { groupBody, memberRows } from "./present";

const route = createRoute({
  method: "put",
  path: "/sessions/{session_id}/members",
  summary: "Replace a session's members (between turns); a one-character session becomes a group",
  request: { params: SessionParams, body: jsonBody(UpdateMembersRequest) },
  responses: { 200: jsonResponse(GroupSession, "The session"), ...errorResponses },
});

export const setMembers = createRouter().openapi(route, async (c) => {
  const sessionId = existingSessionShape(c.req.valid("param").session_id);
  const { character_ids } = c.req.valid("json");
  await memberRows(c.env, c.executionCtx, character_ids);
  c.set("sessionId", sessionId);
  const settings = unwrap(await sessionStub(c.env, sessionId).setMembers(c.get("caller"), character_ids));
  return c.json(await groupBody(c.env, c.executionCtx, sessionId, settings), 200);
});
