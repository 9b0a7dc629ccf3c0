import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Lorebook } from "../../shared/schemas/lorebooks";
import type { JsonObject } from "../lore/formats/fields";
import type { LorebookFormat } from "../lore/formats/parse";
import type { LoreBook, LoreEntry } from "../lore/types";
import type { Db } from "./client";
import { characters, lorebooks, type LorebookRow } from "./schema";

/** What an upload stores: the document as it came and its normalized form. */
export interface LorebookContent {
  name: string;
  format: LorebookFormat;
  source: JsonObject;
  book: LoreBook;
}

/**
 * D1 refuses a row over 2,000,000 bytes; a lorebook's row holds its document and its normalized book,
 * so their JSON together must stay under that (with room for the other columns).
 */
export const MAX_LOREBOOK_ROW_BYTES = 1_990_000;

export function lorebookRowBytes(content: Pick<LorebookContent, "source" | "book">): number {
  const encoder = new TextEncoder();
  return encoder.encode(JSON.stringify(content.source)).byteLength + encoder.encode(JSON.stringify(content.book)).byteLength;
}

export async function insertLorebook(db: Db, id: string, content: LorebookContent, now: string): Promise<void> {
  await db.insert(lorebooks).values({ id, ...columnsOf(content), createdAt: now, updatedAt: now });
}

/** Replaces a lorebook's document; answers false when there is no such lorebook. */
export async function replaceLorebook(db: Db, id: string, content: LorebookContent, now: string): Promise<boolean> {
  const updated = await db
    .update(lorebooks)
    .set({ ...columnsOf(content), updatedAt: now })
    .where(eq(lorebooks.id, id))
    .returning({ id: lorebooks.id });
  return updated.length === 1;
}

const columnsOf = (content: LorebookContent) => ({
  name: content.name,
  format: content.format,
  entryCount: content.book.entries.length,
  source: content.source,
  book: content.book,
});

const summaryColumns = {
  id: lorebooks.id,
  name: lorebooks.name,
  format: lorebooks.format,
  entryCount: lorebooks.entryCount,
  createdAt: lorebooks.createdAt,
  updatedAt: lorebooks.updatedAt,
};

type LorebookSummaryRow = Pick<LorebookRow, keyof typeof summaryColumns>;

export const listLorebooks = (db: Db) => db.select(summaryColumns).from(lorebooks).orderBy(asc(lorebooks.createdAt), asc(lorebooks.id));

/** A lorebook without its document (the part only exports need). */
export const getLorebook = async (db: Db, id: string) =>
  (
    await db
      .select({ ...summaryColumns, book: lorebooks.book })
      .from(lorebooks)
      .where(eq(lorebooks.id, id))
      .limit(1)
  )[0];

/** What an export needs: the document as it came, its format and its normalized book. */
export const getLorebookDocument = async (db: Db, id: string) =>
  (
    await db
      .select({ id: lorebooks.id, name: lorebooks.name, format: lorebooks.format, source: lorebooks.source, book: lorebooks.book })
      .from(lorebooks)
      .where(eq(lorebooks.id, id))
      .limit(1)
  )[0];

/** The ids among `ids` that name no lorebook, in the order given. */
export async function missingLorebookIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = new Set(
    (
      await db
        .select({ id: lorebooks.id })
        .from(lorebooks)
        .where(inArray(lorebooks.id, [...ids]))
    ).map((row) => row.id),
  );
  return ids.filter((id) => !found.has(id));
}

/**
 * Deletes a lorebook and takes its id out of every character's lorebook_ids, in one transaction (so no
 * character is left naming it). Answers whether it existed and which characters had it attached.
 */
export async function deleteLorebook(db: Db, id: string, now: string): Promise<{ deleted: boolean; detachedFrom: string[] }> {
  const [deleted, detached] = await db.batch([
    db.delete(lorebooks).where(eq(lorebooks.id, id)).returning({ id: lorebooks.id }),
    db
      .update(characters)
      .set({
        lorebookIds: sql`(SELECT json_group_array(value) FROM json_each(${characters.lorebookIds}) WHERE value <> ${id})`,
        updatedAt: now,
      })
      .where(sql`EXISTS (SELECT 1 FROM json_each(${characters.lorebookIds}) WHERE value = ${id})`)
      .returning({ id: characters.id }),
  ]);
  return { deleted: deleted.length === 1, detachedFrom: detached.map((row) => row.id) };
}

export const toLorebookSummary = (row: LorebookSummaryRow) => ({
  id: row.id,
  name: row.name,
  format: row.format,
  entry_count: row.entryCount,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/** The detail view: the book and its entries in the normalized form, in the API's snake_case. */
export function toLorebookView(row: LorebookSummaryRow & { book: LoreBook }): Lorebook {
  const { book } = row;
  return {
    ...toLorebookSummary(row),
    scan_depth: book.scanDepth,
    token_budget: book.tokenBudget,
    recursive_scanning: book.recursiveScanning,
    entries: book.entries.map(toEntryView),
  };
}

const toEntryView = (entry: LoreEntry) => ({
  id: entry.id,
  name: entry.name,
  keys: entry.keys,
  secondary_keys: entry.secondaryKeys,
  content: entry.content,
  enabled: entry.enabled,
  constant: entry.constant,
  selective: entry.selective,
  selective_logic: entry.selectiveLogic,
  case_sensitive: entry.caseSensitive,
  match_whole_words: entry.matchWholeWords,
  use_regex: entry.useRegex,
  insertion_order: entry.insertionOrder,
  priority: entry.priority,
  position: entry.position,
  depth: entry.depth,
  role: entry.role,
  scan_depth: entry.scanDepth,
  probability: entry.probability,
  use_probability: entry.useProbability,
  group: entry.group,
  group_override: entry.groupOverride,
  group_weight: entry.groupWeight,
  exclude_recursion: entry.excludeRecursion,
  prevent_recursion: entry.preventRecursion,
  delay_until_recursion: entry.delayUntilRecursion,
  sticky: entry.sticky,
  cooldown: entry.cooldown,
  delay: entry.delay,
});
