import type { ChatMessage } from "../llm/types";

/** Text placed `depth` messages from the end of the conversation (0: after the last), as `role`. */
export interface DepthInsert {
  content: string;
  depth: number;
  role: "system" | "user" | "assistant";
  /** World info or a note: counted in their own sections. */
  kind?: "lore" | "note";
}

/**
 * The conversation with each insert placed at its depth, as SillyTavern places world info and notes:
 * depth 0 after the last message, 1 before it, and so on; deeper than the conversation, at its top.
 * Inserts at one depth keep their order.
 */
export function placeAtDepth(conversation: ChatMessage[], inserts: DepthInsert[]): ChatMessage[] {
  if (inserts.length === 0) return conversation;
  const result: ChatMessage[] = [];
  const atDepth = (depth: number) => inserts.filter((insert) => Math.min(insert.depth, conversation.length) === depth);
  for (let i = 0; i <= conversation.length; i++) {
    for (const insert of atDepth(conversation.length - i)) result.push({ role: insert.role, content: insert.content });
    if (i < conversation.length) result.push(conversation[i]!);
  }
  return result;
}
