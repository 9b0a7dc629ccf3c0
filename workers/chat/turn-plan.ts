import type { Outcome } from "../api-error";
import type { PastMessage } from "./prompt";

/** What a turn answers: a new message, or a change to the conversation tree that needs a reply. */
export type TurnAction =
  | { kind: "message"; text: string }
  /** A new sibling of an assistant message on the active branch, generated from the history above it. */
  | { kind: "regenerate"; messageId: string }
  /** A new sibling of a user message with the edited text, then a reply to it. */
  | { kind: "edit"; messageId: string; text: string }
  /** A new sibling of the active leaf holding its text plus what the LLM adds. */
  | { kind: "continue"; messageId: string }
  /** A reply under the active leaf with no user message: the next speaker of a group, or `next`. */
  | { kind: "speak" };

/** SillyTavern's default continue nudge, sent after the message to continue. */
const CONTINUE_NUDGE = "[Continue your last message without repeating its original content.]";
/** SillyTavern's group nudge: what a speaker answers when the last line is not the user's. */
export const GROUP_NUDGE = "[Write the next reply only as {{char}}.]";

/** Where a turn's messages go: under the active leaf, or as a new child of a message on the active branch (null: a new root). */
export type Attach = "leaf" | { parentId: string | null };

export interface TurnPlan {
  /** Messages the prompt holds before the text it answers, oldest first. */
  history: PastMessage[];
  /** The last user text of the prompt; undefined when the history itself ends the prompt. */
  promptText?: string;
  /** A user message to store before the reply. */
  user?: { content: string; attach: Attach };
  /** Where the reply goes (under the new user message when there is one). */
  reply: Attach;
  /** `continue`: the text the new message starts with. */
  prefix?: string;
  /** The message the reply answers, when it exists already (regenerate, continue). */
  answersId?: string;
  /** Position on the active branch of the prompt's last message (before a new session's greeting is counted). */
  index: number;
}

/** What planning reads of the conversation: the active branch and where a message sits on it. */
export interface PlanStore {
  count(): number;
  recentTexts(limit: number, end?: number): PastMessage[];
  locate(id: string): { role: "user" | "assistant"; content: string; parentId: string | null; pos: number | null } | undefined;
}

const invalid = (message: string) => ({ ok: false as const, code: "INVALID_REQUEST" as const, message });

/**
 * Checks an action against the tree as it is when the turn's time comes (an earlier turn may have
 * moved the branch), and says what the prompt holds and where the messages go. Nothing is written.
 */
export function planTurn(store: PlanStore, action: TurnAction, window: number, includeHistory = true): Outcome<TurnPlan> {
  if (action.kind === "message") {
    return {
      ok: true,
      value: {
        history: includeHistory ? store.recentTexts(window) : [],
        promptText: action.text,
        user: { content: action.text, attach: "leaf" },
        reply: "leaf",
        index: store.count(),
      },
    };
  }
  if (action.kind === "speak") {
    const count = store.count();
    if (count === 0) return invalid("A character speaks on its own only in a session that has messages: send one first");
    return { ok: true, value: { history: store.recentTexts(window), promptText: GROUP_NUDGE, reply: "leaf", index: count - 1 } };
  }
  const target = store.locate(action.messageId);
  if (!target) return { ok: false, code: "NOT_FOUND", message: `No message ${action.messageId} in this session` };
  if (target.pos === null) return invalid(`Message ${action.messageId} is not on the active branch: select it (or one of its siblings) first`);

  if (action.kind === "edit") {
    if (target.role !== "user") return invalid("Only a user message is answered after an edit; an edited reply is only stored (regenerate: false)");
    return {
      ok: true,
      value: {
        history: store.recentTexts(window, target.pos),
        promptText: action.text,
        user: { content: action.text, attach: { parentId: target.parentId } },
        reply: "leaf",
        index: target.pos,
      },
    };
  }
  if (target.role !== "assistant") {
    return invalid(
      `Only a character's reply can be ${action.kind === "regenerate" ? "regenerated" : "continued"}: ${action.messageId} is a user message (edit it instead)`,
    );
  }
  if (target.parentId === null) {
    return invalid(`${action.messageId} is the character's greeting: it is not generated; select one of its siblings (alternate greetings) instead`);
  }
  if (action.kind === "continue") {
    if (target.pos !== store.count() - 1) return invalid(`Only the active branch's last message can be continued; ${action.messageId} has replies after it`);
    return {
      ok: true,
      value: {
        history: store.recentTexts(window, target.pos + 1),
        promptText: CONTINUE_NUDGE,
        reply: { parentId: target.parentId },
        prefix: target.content,
        answersId: target.parentId,
        index: target.pos,
      },
    };
  }
  // Regenerate: the history above the reply; its parent (the user's message) is the text answered.
  const above = store.recentTexts(window + 1, target.pos);
  const last = above.at(-1);
  const answersUser = last?.role === "user";
  return {
    ok: true,
    value: {
      history: answersUser ? above.slice(0, -1) : above.slice(-window),
      promptText: answersUser ? last.content : undefined,
      reply: { parentId: target.parentId },
      answersId: target.parentId,
      index: target.pos - 1,
    },
  };
}

/** A continuation joins its message with a space unless either side already breaks the words. */
export function continuationJoint(prefix: string, first: string): string {
  if (prefix === "" || /\s$/.test(prefix) || /^[\s,.!?;:)\]}'"…-]/.test(first)) return "";
  return " ";
}

/** The text memory is searched with for an action: what the user says; for a regeneration, the user message it answers. */
export function memoryQuery(store: PlanStore, action: TurnAction): string | undefined {
  if (action.kind === "message" || action.kind === "edit") return action.text;
  if (action.kind === "speak") return store.recentTexts(1)[0]?.content;
  const target = store.locate(action.messageId);
  if (!target) return undefined;
  const parent = target.parentId === null ? undefined : store.locate(target.parentId);
  return action.kind === "regenerate" && parent?.role === "user" ? parent.content : target.content;
}
