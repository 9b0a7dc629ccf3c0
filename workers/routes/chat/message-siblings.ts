import { createRoute } from "@hono/zod-openapi";
import { MessageParams, SessionQuery, SiblingsResponse } from "../../../shared/schemas/branches";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/messages/{message_id}/siblings",
  summary: "The messages that share a message's parent (its swipes), in creation order",
  request: { params: MessageParams, query: SessionQuery },
  responses: { 200: jsonResponse(SiblingsResponse, "The siblings, and which one the branch goes through"), ...errorResponses },
});

export const messageSiblings = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  const { session_id } = c.req.valid("query");
  c.set("sessionId", session_id);
  return c.json(unwrap(await sessionStub(c.env, session_id).messageSiblings(c.get("caller"), message_id)), 200);
});
