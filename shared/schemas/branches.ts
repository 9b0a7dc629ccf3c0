import { z } from "zod";
import { ChatContext, HistoryMessage, MessageText, ReplyMediaOption } from "./chat";
import { MessageId, PathId, SessionId } from "./common";

/** The conversation tree's routes (CHARACTER-ENGINE.md §1): a message is named with its session. */

// A message id of any shape reaches the session, which answers 404 for one it does not hold.
export const MessageParams = z.object({ message_id: PathId.describe("A message id (msg_...)") });
export const SessionQuery = z.object({ session_id: SessionId });

/** Options of a route that generates a reply, as in POST /chat/message. */
const generation = {
  stream: z.boolean().optional().describe("true (or Accept: text/event-stream): the reply streams as Server-Sent Events, as POST /chat/message"),
  context: ChatContext.pick({ user_name: true, user_id: true }).optional(),
  media: ReplyMediaOption.optional(),
};

export const RegenerateRequest = z.object({ session_id: SessionId, ...generation });
export type RegenerateRequest = z.infer<typeof RegenerateRequest>;

export const ContinueRequest = z.object({ session_id: SessionId, ...generation });

export const EditMessageRequest = z.object({
  session_id: SessionId,
  content: MessageText,
  /** For a user message (default true): answer the edited message. An edited reply is only stored. */
  regenerate: z.boolean().optional(),
  ...generation,
});
export type EditMessageRequest = z.infer<typeof EditMessageRequest>;

export const SelectRequest = z.object({ session_id: SessionId });

export const BranchResponse = z.object({
  session_id: SessionId,
  active_leaf_id: MessageId.nullable(),
  total_count: z.number().int().describe("Messages on the active branch"),
});

/** An edit that was only stored (a reply, or `regenerate: false`). */
export const EditedMessageResponse = BranchResponse.extend({ message: HistoryMessage });

export const SiblingsResponse = z.object({
  siblings: z.array(HistoryMessage),
  active_index: z.number().int().describe("The sibling the active branch goes through (or, off the branch, the last selected one)"),
});

export const DeleteMessageResponse = z.object({
  session_id: SessionId,
  active_leaf_id: MessageId.nullable(),
  deleted_count: z.number().int(),
});

export const ForkRequest = z.object({ message_id: PathId.describe("The last message the new session holds: it gets copies of the path from the root to it") });
export const ForkResponse = z.object({ session_id: SessionId, total_count: z.number().int() });
