import { z } from "zod";
import type { ChatMessage } from "../llm/types";

/**
 * Fact extraction (CHARACTER-ENGINE.md §3), as plain functions: the prompt that asks the LLM what an
 * exchange adds to, changes in or removes from the known facts, and the reading of its answer. Known
 * facts go to the LLM under short ids (f1, f2...), which cost fewer tokens than ours and which it cannot
 * confuse with anything else.
 */

export interface KnownFact {
  id: string;
  content: string;
  /** Written by the app: the LLM sees it (so it does not repeat it) but cannot change it. */
  pinned: boolean;
}

export interface Exchange {
  userText: string;
  replyText: string;
  characterName: string;
}

export type FactOperation = { op: "ADD"; content: string } | { op: "UPDATE"; id: string; content: string } | { op: "DELETE"; id: string };

const EXTRACTION_SYSTEM = `You maintain a memory of durable facts about the user for a character they chat with.
Read the known facts and the latest exchange. Answer with one JSON object and nothing else:
{"operations":[{"op":"ADD","content":"..."},{"op":"UPDATE","id":"f1","content":"..."},{"op":"DELETE","id":"f2"}]}
- ADD a fact the user states about themselves or their life that will still be true later (name, places, people, preferences, plans).
- UPDATE a known fact the exchange changes; DELETE one it shows is wrong or the user asks to forget.
- One short sentence per fact, in the user's own words where possible. Never store what the character said about itself.
- Nothing durable: {"operations":[]}`;

/** The request for one exchange: the known facts by short id, and the exchange. */
export function extractionMessages(known: KnownFact[], exchange: Exchange): { messages: ChatMessage[]; shortIds: Map<string, string> } {
  const shortIds = new Map<string, string>();
  const lines = known.map((fact, i) => {
    shortIds.set(`f${i + 1}`, fact.id);
    return `[f${i + 1}] ${oneLine(fact.content)}`;
  });
  const content = [
    "Known facts:",
    lines.length > 0 ? lines.join("\n") : "(none)",
    "",
    "Exchange:",
    `User: ${oneLine(exchange.userText)}`,
    `${oneLine(exchange.characterName)}: ${oneLine(exchange.replyText)}`,
  ].join("\n");
  return {
    messages: [
      { role: "system", content: EXTRACTION_SYSTEM },
      { role: "user", content },
    ],
    shortIds,
  };
}

const FACT_MAX = 500;
const Operations = z.object({
  operations: z
    .array(
      z.discriminatedUnion("op", [
        z.object({ op: z.literal("ADD"), content: z.string().trim().min(1).max(FACT_MAX) }),
        z.object({ op: z.literal("UPDATE"), id: z.string(), content: z.string().trim().min(1).max(FACT_MAX) }),
        z.object({ op: z.literal("DELETE"), id: z.string() }),
      ]),
    )
    .max(20),
});

/**
 * Reads the LLM's answer: the JSON object (inside a code fence or prose, as models like to add), its
 * operations with short ids turned back into ours. Anything else is garbage: the reason, and no operation.
 */
export function parseOperations(text: string, shortIds: Map<string, string>): { ok: true; operations: FactOperation[] } | { ok: false; reason: string } {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end < start) return { ok: false, reason: "the answer holds no JSON object" };
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return { ok: false, reason: "the answer's JSON does not parse" };
  }
  const parsed = Operations.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "the answer is not a list of ADD/UPDATE/DELETE operations" };
  const operations: FactOperation[] = [];
  for (const operation of parsed.data.operations) {
    if (operation.op === "ADD") operations.push(operation);
    else {
      const id = shortIds.get(operation.id);
      // An id the LLM made up names nothing: dropped, as an unknown id would be by the store.
      if (id) operations.push({ ...operation, id });
    }
  }
  return { ok: true, operations };
}

/** What a fact is compared by when deduplicating: case, spacing and final punctuation do not count. */
export const factKey = (content: string) =>
  content
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[.!?\s]+$/, "")
    .trim();

/**
 * The operations worth applying to the known facts: no ADD of a fact already known (or added twice), no
 * change to a pinned fact (the app's), no UPDATE that changes nothing, at most one change per fact.
 */
export function plannedChanges(known: KnownFact[], operations: FactOperation[]): FactOperation[] {
  const byId = new Map(known.map((fact) => [fact.id, fact]));
  const keys = new Set(known.map((fact) => factKey(fact.content)));
  const touched = new Set<string>();
  const planned: FactOperation[] = [];
  for (const operation of operations) {
    if (operation.op === "ADD") {
      const key = factKey(operation.content);
      if (keys.has(key)) continue;
      keys.add(key);
      planned.push(operation);
      continue;
    }
    const fact = byId.get(operation.id);
    if (!fact || fact.pinned || touched.has(fact.id)) continue;
    if (operation.op === "UPDATE") {
      const key = factKey(operation.content);
      if (key === factKey(fact.content) || keys.has(key)) continue;
      keys.add(key);
    }
    touched.add(fact.id);
    planned.push(operation);
  }
  return planned;
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
