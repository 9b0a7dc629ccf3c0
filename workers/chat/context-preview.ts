import type { ContextPreview } from "../../shared/schemas/lorebooks";
import type { AssembledPrompt } from "./turn";

/** The context preview's body: the prompt's messages, its tokens by section, and the world info and memories in it. */
export function previewOf({ prompt, lore, memory }: AssembledPrompt): ContextPreview {
  const { sections } = prompt;
  return {
    messages: prompt.messages.map(({ role, content }) => ({ role, content })),
    tokens: {
      total: sections.system + sections.lore + sections.memory + sections.examples + sections.history + sections.message,
      budget: prompt.budget,
      sections,
    },
    lore: (lore?.entries ?? []).map((entry) => ({
      lorebook_id: entry.bookId,
      entry_id: entry.entryId,
      name: entry.name,
      position: entry.position,
      depth: entry.position === "at_depth" ? entry.depth : null,
      matched_key: entry.matchedKey,
      tokens: entry.tokens,
    })),
    memories: memory.used,
    ...(memory.degraded ? { memory_degraded: memory.degraded } : {}),
  };
}
