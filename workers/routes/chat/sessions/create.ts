import { createRoute } from "@hono/zod-openapi";
import { CreateSessionRequest, GroupSession } from "../../../../shared/schemas/sessions";
import { randomId } from "../../../../shared/crypto";
import { unwrap } from "../../../api-error";
import { sessionStub } from "../../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../../openapi";
import { groupBody, memberRows } from "./present";

const route = createRoute({
  method: "post",
  path: "/sessions",
  summary: "Create a session with several characters (a group) and how they take turns",
  description:
    "`natural`: the characters a message names answer first, then each by talkativeness (a seeded draw), at least one; `list`: all, in order; `pooled`: one that has not spoken since the user; `manual`: only the one named by `character_id`. A chat/message naming a member (`character_id`) makes it answer alone.",
  request: { body: jsonBody(CreateSessionRequest) },
  responses: { 201: jsonResponse(GroupSession, "The session and its members"), ...errorResponses },
});

export const createSession = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  await memberRows(c.env, c.executionCtx, body.character_ids);
  const sessionId = body.session_id ?? randomId("sess_");
  c.set("sessionId", sessionId);
  const settings = { group: true, members: body.character_ids, strategy: body.strategy, allow_self_responses: body.allow_self_responses };
  const created = unwrap(await sessionStub(c.env, sessionId).createGroup(c.get("caller"), sessionId, settings));
  return c.json(await groupBody(c.env, c.executionCtx, sessionId, created), 201);
});
