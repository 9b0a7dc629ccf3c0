import { createRoute, z } from "@hono/zod-openapi";
import { EditedMessageResponse, EditMessageRequest, MessageParams } from "../../../shared/schemas/branches";
import { SendMessageResponse } from "../../../shared/schemas/chat";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, unavailableResponse } from "../openapi";
import { answerTreeTurn } from "./turn-answer";

const route = createRoute({
  method: "patch",
  path: "/messages/{message_id}",
  summary: "Edit a message: the new text becomes a sibling on the active branch (nothing is overwritten)",
  description:
    "An edited user message is answered (`regenerate` defaults to true): the body is POST /chat/message's, with the new user message in `user_message_id`. An edited reply, or `regenerate: false`, is only stored: the body names the new message and the branch.",
  request: { params: MessageParams, body: jsonBody(EditMessageRequest) },
  responses: {
    200: {
      description: "The reply to the edited message, or the stored edit",
      content: { "application/json": { schema: z.union([SendMessageResponse, EditedMessageResponse]) }, "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const editMessage = createRouter().openapi(route, async (c) => {
  const { message_id } = c.req.valid("param");
  const body = c.req.valid("json");
  const caller = c.get("caller");
  c.set("sessionId", body.session_id);
  const stub = sessionStub(c.env, body.session_id);
  const target = unwrap(await stub.getMessage(caller, message_id));
  if (target.role === "user" && body.regenerate !== false) {
    return answerTreeTurn(c, { kind: "edit", messageId: message_id, text: body.content }, body);
  }
  return c.json(unwrap(await stub.editMessage(caller, message_id, body.content)), 200);
});
