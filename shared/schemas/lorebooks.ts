import { z } from "zod";
import { PathId, Timestamp } from "./common";
import { UsedMemory, UserId } from "./memories";

/**
 * Lorebooks (world info): CHARACTER-ENGINE.md §2. A lorebook is uploaded as a V3 lorebook, a bare
 * character_book or a SillyTavern world-info file; it is answered in one normalized form, whatever
 * it came as, and exported in either format.
 */

/** Lorebook ids are `lb_` and 20 base62 characters; in paths and bodies any plausible id is looked up (unknown: 404). */
const LorebookRef = PathId.describe("A lorebook id (lb_...)");

const LorebookFormat = z.enum(["v3", "character_book", "sillytavern"]).describe("The format the lorebook was uploaded in");
const LorebookExportFormat = z.enum(["v3", "sillytavern"]);

/** Lorebooks attached to a character: at most 50, no repeats, each must exist. */
export const LorebookIds = z
  .array(LorebookRef)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, "lorebook_ids must not repeat an id");

const LorebookName = z.string().trim().min(1).max(200);

export const LorebookCreated = z.object({ id: z.string(), name: z.string(), entry_count: z.number().int() });

const LorebookSummary = LorebookCreated.extend({ format: LorebookFormat, created_at: Timestamp, updated_at: Timestamp });

export const LorebookList = z.object({ lorebooks: z.array(LorebookSummary) });

const LorePositionName = z.enum(["before_char", "after_char", "an_top", "an_bottom", "at_depth", "em_top", "em_bottom"]);

/** One entry, normalized: SillyTavern's World Info meanings (workers/lore/types.ts), in the API's snake_case. */
const LoreEntry = z.object({
  id: z.string().describe("Unique within the book: the V3 id or the SillyTavern uid, as a string"),
  name: z.string().describe("V3 name / SillyTavern comment"),
  keys: z.array(z.string()),
  secondary_keys: z.array(z.string()),
  content: z.string(),
  enabled: z.boolean(),
  constant: z.boolean(),
  selective: z.boolean(),
  selective_logic: z.enum(["AND_ANY", "NOT_ALL", "NOT_ANY", "AND_ALL"]),
  case_sensitive: z.boolean().nullable(),
  match_whole_words: z.boolean().nullable(),
  use_regex: z.boolean().describe("Keys may be /pattern/flags regexes"),
  insertion_order: z.number(),
  priority: z.number().nullable(),
  position: LorePositionName,
  depth: z.number(),
  role: z.enum(["system", "user", "assistant"]),
  scan_depth: z.number().nullable(),
  probability: z.number(),
  use_probability: z.boolean(),
  group: z.string(),
  group_override: z.boolean(),
  group_weight: z.number(),
  exclude_recursion: z.boolean(),
  prevent_recursion: z.boolean(),
  delay_until_recursion: z.boolean(),
  sticky: z.number().nullable(),
  cooldown: z.number().nullable(),
  delay: z.number().nullable(),
});

export const Lorebook = LorebookSummary.extend({
  scan_depth: z.number().nullable(),
  token_budget: z.number().nullable(),
  recursive_scanning: z.boolean(),
  entries: z.array(LoreEntry),
});
export type Lorebook = z.infer<typeof Lorebook>;

export const LorebookParams = z.object({ lorebook_id: LorebookRef });

export const LorebookWriteQuery = z.object({
  /** The lorebook's name; by default the document's own, else "Untitled lorebook" (on PUT: the current name). */
  name: LorebookName.optional(),
});

export const ExportLorebookQuery = z.object({ format: LorebookExportFormat.default("v3") });

/** A lorebook document, as exports answer it (its shape is the format's). */
export const LorebookDocument = z.record(z.string(), z.any());

export const DeleteLorebookResponse = z.object({
  message: z.string(),
  lorebook_id: z.string(),
  deleted_at: Timestamp,
  /** Characters the lorebook was attached to: it no longer is. */
  detached_from: z.array(z.string()),
});

// ---- a session's lorebooks and author's note (CHARACTER-ENGINE.md §2) ----

export const SessionLorebooksRequest = z.object({ lorebook_ids: LorebookIds });
export const SessionLorebooks = z.object({ session_id: z.string(), lorebook_ids: z.array(z.string()) });

/** SillyTavern's author's note: text inserted `depth` messages from the end of the history, as `role`. */
export const SessionNoteRequest = z.object({
  content: z.string().max(16_384).describe("Empty removes the note"),
  depth: z.number().int().min(0).max(1000).default(4),
  role: z.enum(["system", "user", "assistant"]).default("system"),
});
export type SessionNoteRequest = z.infer<typeof SessionNoteRequest>;
export const SessionNote = SessionNoteRequest.extend({ session_id: z.string() });

// ---- the context preview ----

export const ContextPreviewRequest = z.object({
  character_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "character_id must be a lowercase slug of at most 64 characters"),
  message: z.string().min(1).max(16_384),
  user_id: UserId.optional().describe("The end user whose memories would be recalled; without it, the session's own memory"),
  context: z.object({ user_name: z.string().max(100).optional() }).optional(),
});

const PromptSections = z.object({
  system: z.number().int(),
  lore: z.number().int(),
  memory: z.number().int(),
  examples: z.number().int(),
  history: z.number().int(),
  message: z.number().int(),
});

export const ContextPreview = z.object({
  messages: z.array(z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() })),
  tokens: z.object({
    total: z.number().int(),
    budget: z.number().int().describe("What the prompt may hold: the context window minus the reply's reserve"),
    sections: PromptSections,
  }),
  lore: z.array(
    z.object({
      lorebook_id: z.string(),
      entry_id: z.string(),
      name: z.string(),
      position: LorePositionName,
      depth: z.number().int().nullable().describe("For at_depth: messages from the end of the history"),
      matched_key: z.string().nullable(),
      tokens: z.number().int(),
    }),
  ),
  memories: z
    .array(UsedMemory.extend({ content: z.string(), pinned: z.boolean(), tokens: z.number().int() }))
    .describe("What memory puts in the prompt's memory section: pinned facts, the summary, recalled items (with scores)"),
  /** Set when recall was skipped (the embeddings provider failed): the prompt holds pinned facts and the summary only. */
  memory_degraded: z.string().optional(),
});
export type ContextPreview = z.infer<typeof ContextPreview>;
