import { createRoute } from "@hono/zod-openapi";
import { GroupSession } from "../../../../shared/schemas/sessions";
import { unwrap } from "../../../api-error";
import { sessionStub } from "../../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonResponse } from "../../openapi";
import { existingSessionShape, SessionParams } from "../../session-param";
import { groupBody } from "./present";

const route = createRoute({
  method: "get",
  path: "/sessions/{session_id}",
  summary: "A session's members and strategy (a one-character session: the characters that spoke, strategy manual)",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(GroupSession, "The session"), ...errorResponses },
});

export const getSession = createRouter().openapi(route, async (c) => {
  const sessionId = existingSessionShape(c.req.valid("param").session_id);
  const settings = unwrap(await sessionStub(c.env, sessionId).groupOf(c.get("caller")));
  return c.json(await groupBody(c.env, c.executionCtx, sessionId, settings), 200);
});
