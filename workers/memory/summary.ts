import type { ChatMessage } from "../llm/types";
import type { PastMessage } from "../chat/prompt";

/**
 * Rolling summaries (CHARACTER-ENGINE.md §3), as plain functions. When the prompt no longer holds a
 * session's oldest messages, the LLM folds them into the session's summary, which the prompt carries
 * instead. A summary is anchored to the last message it covers: when that message leaves the active
 * branch, everything after the branch point left with it, and the summary is withdrawn.
 */

/** Messages left out of the prompt before a new summary is worth an LLM call. */
export const SUMMARY_STEP = 4;

export interface SummaryJob {
  sessionId: string;
  /** The summary this one continues (its text is folded in), if the session has one on this branch. */
  previous?: string;
  messages: { name: string; text: string }[];
  /** The last message covered: the summary is withdrawn when it leaves the active branch. */
  anchorId: string;
  sourceIds: string[];
}

/**
 * What the next summary covers: the messages the prompt left out (oldest first, with ids) after the
 * current summary's anchor. Undefined while fewer than SUMMARY_STEP are waiting.
 */
export function nextSummary(input: {
  sessionId: string;
  dropped: PastMessage[];
  current?: { content: string; anchorId: string };
  names: { user: string; char: string };
}): SummaryJob | undefined {
  const { dropped, current } = input;
  const after = current ? dropped.findIndex((m) => m.id === current.anchorId) + 1 : 0;
  const waiting = dropped.slice(after).filter((m) => m.id !== undefined && m.content.trim() !== "");
  if (waiting.length < SUMMARY_STEP) return undefined;
  return {
    sessionId: input.sessionId,
    ...(current ? { previous: current.content } : {}),
    messages: waiting.map((m) => ({ name: m.role === "user" ? input.names.user : input.names.char, text: m.content })),
    anchorId: waiting.at(-1)!.id!,
    sourceIds: waiting.map((m) => m.id!),
  };
}

const SUMMARY_SYSTEM = `You keep a rolling summary of a role-play conversation, so it can go on after its oldest messages are forgotten.
Fold the new messages into the summary so far. Keep names, facts, promises, open threads and the mood; drop small talk.
Answer with the new summary only, in at most 200 words.`;

export function summaryMessages(job: Pick<SummaryJob, "previous" | "messages">): ChatMessage[] {
  const lines = job.messages.map((m) => `${m.name}: ${m.text.replace(/\s+/g, " ").trim()}`);
  return [
    { role: "system", content: SUMMARY_SYSTEM },
    { role: "user", content: ["Summary so far:", job.previous?.trim() || "(none)", "", "New messages:", ...lines].join("\n") },
  ];
}
