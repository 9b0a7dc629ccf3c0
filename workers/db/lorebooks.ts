import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Lorebook } from "../../shared/schemas/lorebooks";
import type { JsonObject } from "../lore/formats/fields";
import type { LorebookFormat } from "../lore/formats/parse";
import type { LoreBook, LoreEntry } from "../lore/types";
import type { Db } from "./client";
import { characters, lorebookChunks, lorebooks, type LorebookRow } from "./schema";

/** What an upload stores: the document as it came and its normalized form. */
export interface LorebookContent {
  name: string;
  format: LorebookFormat;
  source: JsonObject;
  book: LoreBook;
}

/** UTF-16 units per chunk: at most 1.5 MB of UTF-8 even if every character takes 3 bytes (D1's row limit is 2 MB). */
const CHUNK_UNITS = 500_000;

/** `text` in pieces of at most CHUNK_UNITS, never splitting a surrogate pair (half of one is not storable text). */
export function chunkText(text: string, size = CHUNK_UNITS): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    const next = text.charCodeAt(end);
    if (end < text.length && next >= 0xdc00 && next <= 0xdfff && end - 1 > start) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces.length > 0 ? pieces : [""];
}

/** The statements that store a lorebook's two JSON texts, one chunk each. */
function chunkInserts(db: Db, id: string, content: LorebookContent) {
  const parts = [
    ["source", JSON.stringify(content.source)],
    ["book", JSON.stringify(content.book)],
  ] as const;
  return parts.flatMap(([part, json]) => chunkText(json).map((text, seq) => db.insert(lorebookChunks).values({ lorebookId: id, part, seq, text })));
}

const deleteChunks = (db: Db, id: string) => db.delete(lorebookChunks).where(eq(lorebookChunks.lorebookId, id));

/** Stores a new lorebook, row and chunks in one transaction. */
export async function insertLorebook(db: Db, id: string, content: LorebookContent, now: string): Promise<void> {
  await db.batch([db.insert(lorebooks).values({ id, ...columnsOf(content), createdAt: now, updatedAt: now }), ...chunkInserts(db, id, content)]);
}

/** Replaces a lorebook's document in one transaction; answers false when there is no such lorebook (and writes nothing). */
export async function replaceLorebook(db: Db, id: string, content: LorebookContent, now: string): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .update(lorebooks)
      .set({ ...columnsOf(content), updatedAt: now })
      .where(eq(lorebooks.id, id))
      .returning({ id: lorebooks.id }),
    deleteChunks(db, id),
    ...chunkInserts(db, id, content),
  ]);
  if (updated.length === 1) return true;
  // Deleted meanwhile: the chunks just written belong to nothing.
  await deleteChunks(db, id);
  return false;
}

const columnsOf = (content: LorebookContent) => ({ name: content.name, format: content.format, entryCount: content.book.entries.length });

const summaryColumns = {
  id: lorebooks.id,
  name: lorebooks.name,
  format: lorebooks.format,
  entryCount: lorebooks.entryCount,
  createdAt: lorebooks.createdAt,
  updatedAt: lorebooks.updatedAt,
};

export const listLorebooks = (db: Db) => db.select(summaryColumns).from(lorebooks).orderBy(asc(lorebooks.createdAt), asc(lorebooks.id));

/** One of a lorebook's JSON texts, put back together from its chunks. */
async function readPart<T>(db: Db, id: string, part: "source" | "book"): Promise<T> {
  const rows = await db
    .select({ text: lorebookChunks.text })
    .from(lorebookChunks)
    .where(and(eq(lorebookChunks.lorebookId, id), eq(lorebookChunks.part, part)))
    .orderBy(asc(lorebookChunks.seq));
  return JSON.parse(rows.map((row) => row.text).join("")) as T;
}

const getLorebookRow = async (db: Db, id: string): Promise<LorebookRow | undefined> =>
  (await db.select(summaryColumns).from(lorebooks).where(eq(lorebooks.id, id)).limit(1))[0];

/** A lorebook and its normalized book (not its document, which only exports need). */
export async function getLorebook(db: Db, id: string): Promise<(LorebookRow & { book: LoreBook }) | undefined> {
  const row = await getLorebookRow(db, id);
  return row && { ...row, book: await readPart<LoreBook>(db, id, "book") };
}

/** What an export needs: the document as it came, its format and its normalized book. */
export async function getLorebookDocument(db: Db, id: string) {
  const row = await getLorebookRow(db, id);
  if (!row) return undefined;
  const [source, book] = await Promise.all([readPart<JsonObject>(db, id, "source"), readPart<LoreBook>(db, id, "book")]);
  return { ...row, source, book };
}

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
  const [deleted, , detached] = await db.batch([
    db.delete(lorebooks).where(eq(lorebooks.id, id)).returning({ id: lorebooks.id }),
    deleteChunks(db, id),
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

export const toLorebookSummary = (row: LorebookRow) => ({
  id: row.id,
  name: row.name,
  format: row.format,
  entry_count: row.entryCount,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/** The detail view: the book and its entries in the normalized form, in the API's snake_case. */
export function toLorebookView(row: LorebookRow & { book: LoreBook }): Lorebook {
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
