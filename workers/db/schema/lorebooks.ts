import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { LorebookFormat } from "../../lore/formats/parse";

/**
 * Lorebooks (world info) uploaded through /api/v1/lorebooks. Each keeps the document as it came (for
 * lossless exports) and its normalized form (what the engine reads), both as JSON in lorebook_chunks.
 */
export const lorebooks = sqliteTable(
  "lorebooks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The format the document is in. */
    format: text("format").$type<LorebookFormat>().notNull(),
    entryCount: integer("entry_count").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("lorebooks_created_idx").on(t.createdAt)],
);

/**
 * A lorebook's JSON texts, `source` (the document as it came) and `book` (the normalized LoreBook), each
 * cut into pieces in `seq` order. Pieces, not one column: D1 refuses a row over 2,000,000 bytes, and an
 * upload may be 2 MiB, with a normalized form of 5,000 entries that is larger still.
 */
export const lorebookChunks = sqliteTable(
  "lorebook_chunks",
  {
    lorebookId: text("lorebook_id").notNull(),
    part: text("part").$type<"source" | "book">().notNull(),
    seq: integer("seq").notNull(),
    text: text("text").notNull(),
  },
  (t) => [primaryKey({ columns: [t.lorebookId, t.part, t.seq] })],
);

export type LorebookRow = typeof lorebooks.$inferSelect;
