import { createRoute } from "@hono/zod-openapi";
import { BranchResponse, MessageParams, SelectRequest } from "../../../shared/schemas/branches";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/messages/{message_id}/select",
  summary: "Make a message active (swipe to it, or go back to it)",
  description: "Below it the branch follows each message's last selected child down to a leaf: the conversation comes back as it was last seen on that path.",
  request: { params: MessageParams, body: jsonBody(SelectRequest) },
  responses: { 200: jsonResponse(BranchResponse, "The active branch after the change"), ...errorResponses },
});

export const selectMessage = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  const { session_id } = c.req.valid("json");
  c.set("sessionId", session_id);
  return c.json(unwrap(await sessionStub(c.env, session_id).selectMessage(c.get("caller"), message_id)), 200);
});
