import { createRoute } from "@hono/zod-openapi";
import { DeleteMessageResponse, MessageParams, SessionQuery } from "../../../shared/schemas/branches";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "delete",
  path: "/messages/{message_id}",
  summary: "Delete a message and everything below it",
  description:
    "On the active branch, the nearest remaining sibling (the one before it, else the one after) becomes active, else the branch ends at its parent.",
  request: { params: MessageParams, query: SessionQuery },
  responses: { 200: jsonResponse(DeleteMessageResponse, "What was deleted, and the active branch's new leaf"), ...errorResponses },
});

export const deleteMessage = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  const { session_id } = c.req.valid("query");
  c.set("sessionId", session_id);
  return c.json(unwrap(await sessionStub(c.env, session_id).deleteMessage(c.get("caller"), message_id)), 200);
});
