import { activateLore } from "../lore/activate";
import type { ActivationResult, LoreEntryRef } from "../lore/activation-types";
import { seededRng } from "../lore/rng";
import type { PastMessage } from "./prompt";
import type { TurnDeps, TurnInput } from "./turn";

/** SillyTavern's default world-info budget: a quarter of the context window. */
const BUDGET_SHARE = 0.25;

/** How a reply's metadata names an entry that shaped it: `<lorebook id>:<entry id>`. */
export const loreEntryId = (entry: LoreEntryRef) => `${entry.bookId}:${entry.entryId}`;

/**
 * The world info for one turn: the books scanned over the prompt's history and the text it answers,
 * with the timed effects of the replies above it on the active branch. Seeded by the reply's id, so a
 * turn's rolls are reproducible, and a regeneration (a new id) rolls again. Undefined without books.
 */
export function activateFor(
  deps: Pick<TurnDeps, "store" | "contextTokens" | "countMessageTokens">,
  input: Pick<TurnInput, "lore" | "replyId">,
  history: PastMessage[],
  promptText: string | undefined,
  index: number,
): ActivationResult | undefined {
  const books = input.lore?.books;
  if (!books || books.entries.length === 0) return undefined;
  const messages = promptText === undefined ? history : [...history, { role: "user" as const, content: promptText }];
  return activateLore({
    lore: books,
    messages,
    messageIndex: index,
    timeline: deps.store.loreTimeline(index),
    tokenBudget: Math.floor(deps.contextTokens * BUDGET_SHARE),
    countTokens: deps.countMessageTokens,
    rng: seededRng(input.replyId),
  });
}
