import type { MemoryKind, UsedMemory } from "../../shared/schemas/memories";

/**
 * What of a user's memory goes into a turn's prompt, within the memory section's share of the budget:
 * pinned facts first (the app asked for them), then the session's summary, then recalled facts and
 * messages by score. A recalled message the prompt's history already holds is left out.
 */

export interface MemoryItem {
  id: string;
  kind: MemoryKind;
  content: string;
  /** The fused search score; null for pinned facts and summaries. */
  score: number | null;
  pinned: boolean;
  /** Message memories: the message it copies and who said it. */
  messageId?: string;
  role?: "user" | "assistant";
}

/** What a memory object answers for one turn. */
export interface MemoryRecall {
  pinned: MemoryItem[];
  summary?: MemoryItem & { anchorId: string };
  hits: MemoryItem[];
  /** Why recall by similarity was skipped (the embeddings provider failed), if it was. */
  degraded?: string;
}

export type PromptMemoryItem = UsedMemory & { content: string; pinned: boolean; tokens: number };

/** The share of the prompt's budget memory may take. */
export const MEMORY_BUDGET_SHARE = 0.25;

const HEADERS = {
  facts: "What {{char}} remembers of {{user}}:",
  summary: "What happened earlier in this conversation:",
  messages: "Earlier messages that may matter:",
};

export function fitMemory(
  recall: MemoryRecall | undefined,
  options: { budget: number; count: (text: string) => number; inPrompt: Set<string> },
): { text: string | undefined; used: PromptMemoryItem[] } {
  if (!recall) return { text: undefined, used: [] };
  const limit = Math.floor(options.budget * MEMORY_BUDGET_SHARE);
  const used: PromptMemoryItem[] = [];
  let spent = 0;
  const take = (item: MemoryItem, line: string) => {
    const tokens = options.count(line);
    if (spent + tokens > limit) return;
    spent += tokens;
    used.push({ id: item.id, kind: item.kind, score: item.score, content: item.content, pinned: item.pinned, tokens });
  };
  for (const item of recall.pinned) take(item, factLine(item));
  if (recall.summary) take(recall.summary, recall.summary.content);
  for (const item of recall.hits) {
    if (item.messageId && options.inPrompt.has(item.messageId)) continue;
    take(item, item.kind === "message" ? messageLine(item) : factLine(item));
  }
  return { text: renderMemory(used, recall), used };
}

/** The memory section as the system prompt carries it ({{char}} and {{user}} are substituted there). */
function renderMemory(used: PromptMemoryItem[], recall: MemoryRecall): string | undefined {
  if (used.length === 0) return undefined;
  const byId = new Map([...recall.pinned, ...recall.hits].map((item) => [item.id, item]));
  const facts = used.filter((m) => m.kind === "pinned" || m.kind === "fact").map((m) => factLine(m));
  const summary = used.find((m) => m.kind === "summary");
  const messages = used.filter((m) => m.kind === "message").map((m) => messageLine(byId.get(m.id) ?? m));
  const blocks: string[] = [];
  if (facts.length > 0) blocks.push([HEADERS.facts, ...facts].join("\n"));
  if (summary) blocks.push(`${HEADERS.summary}\n${summary.content}`);
  if (messages.length > 0) blocks.push([HEADERS.messages, ...messages].join("\n"));
  return blocks.join("\n\n");
}

const factLine = (item: Pick<MemoryItem, "content">) => `- ${item.content}`;
const messageLine = (item: Pick<MemoryItem, "content" | "role">) => `- ${item.role === "assistant" ? "{{char}}" : "{{user}}"}: ${item.content}`;
