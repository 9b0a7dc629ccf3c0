import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { LorebookFormat } from "../../lore/formats/parse";
import type { LoreBook } from "../../lore/types";
import type { JsonValue } from "./characters";

/**
 * Lorebooks (world info) uploaded through /api/v1/lorebooks. Each keeps the document as it came
 * (`source`, for lossless exports) beside its normalized form (`book`, what the engine reads).
 */
export const lorebooks = sqliteTable(
  "lorebooks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The format `source` is in. */
    format: text("format").$type<LorebookFormat>().notNull(),
    entryCount: integer("entry_count").notNull(),
    source: text("source", { mode: "json" }).$type<{ [key: string]: JsonValue }>().notNull(),
    book: text("book", { mode: "json" }).$type<LoreBook>().notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("lorebooks_created_idx").on(t.createdAt)],
);

export type LorebookRow = typeof lorebooks.$inferSelect;
