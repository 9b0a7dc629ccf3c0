import type { JsonValue } from "../../db/schema/characters";
import type { LoreBook, LoreEntry } from "../types";
import { isObject, type JsonObject } from "./fields";
import type { LorebookFormat } from "./parse";
import { ofKind, ST_EXTENSION_FIELDS } from "./sillytavern-fields";

export type ExportFormat = "v3" | "sillytavern";

/** A stored lorebook, as exports need it: the document as imported and its normalized book. */
export interface ExportableLorebook {
  format: LorebookFormat;
  source: JsonObject;
  book: LoreBook;
}

/**
 * The lorebook as a document of `to`'s format. In the format it was imported in, that is the document
 * itself, every field kept; across formats the fields map as SillyTavern's own converters map them.
 */
export function exportLorebook(lorebook: ExportableLorebook, to: ExportFormat): JsonObject {
  const { format, source, book } = lorebook;
  if (to === "sillytavern") {
    if (format === "sillytavern") return source;
    return toWorldInfo(format === "v3" ? (source.data as JsonObject) : source, book);
  }
  if (format === "v3") return source;
  return { spec: "lorebook_v3", data: format === "character_book" ? source : toCharacterBook(source, book) };
}

const entryObjects = (entries: JsonValue[] | JsonObject): JsonObject[] =>
  (Array.isArray(entries) ? entries : Object.values(entries)).map((entry) => (isObject(entry) ? entry : {}));

/**
 * A character_book as a SillyTavern world-info file, as SillyTavern's `convertCharacterBook` makes one:
 * every template field set, SillyTavern's own fields taken from each entry's extensions, and the book
 * kept whole in `originalData` (where SillyTavern keeps it, so that nothing of it is lost).
 */
function toWorldInfo(characterBook: JsonObject, book: LoreBook): JsonObject {
  const entries = entryObjects(characterBook.entries as JsonValue[]).map((entry, index) => toWorldInfoEntry(entry, book.entries[index]!, index));
  // fromEntries makes own properties, so even a uid of "__proto__" stays an entry.
  return { entries: Object.fromEntries(entries.map((entry) => [String(entry.uid), entry])), originalData: characterBook };
}

function toWorldInfoEntry(entry: JsonObject, normalized: LoreEntry, index: number): JsonObject {
  const extensions = isObject(entry.extensions) ? entry.extensions : {};
  const comment = [entry.comment, entry.name].find((text) => typeof text === "string" && text !== "") ?? "";
  const own = entry.id ?? index;
  const out: JsonObject = {
    // The entry's own id, unless two entries shared it (then the normalized id, which is unique).
    uid: normalized.id === String(own) ? own : normalized.id,
    key: normalized.keys,
    keysecondary: normalized.secondaryKeys,
    comment,
    content: normalized.content,
    constant: normalized.constant,
    selective: normalized.selective,
    addMemo: comment !== "",
    order: normalized.insertionOrder,
    position: ofKind(extensions.position, "number", entry.position === "before_char" ? 0 : 1),
    disable: entry.enabled === false,
    displayIndex: ofKind(extensions.display_index, "number", index),
  };
  for (const [field, extension, fallback, kind] of ST_EXTENSION_FIELDS) out[field] = ofKind(extensions[extension], kind, fallback);
  // SillyTavern reads only the extensions' case_sensitive; the spec's own field is the fallback here.
  out.caseSensitive = ofKind(extensions.case_sensitive, "boolean", ofKind(entry.case_sensitive, "boolean", null));
  out.extensions = extensions;
  return out;
}

/**
 * A SillyTavern world-info file as a character_book, as SillyTavern's `convertWorldInfoToCharacterBook`
 * makes one: the spec's fields, SillyTavern's own in each entry's extensions.
 */
function toCharacterBook(worldInfo: JsonObject, book: LoreBook): JsonObject {
  const entries = entryObjects(worldInfo.entries as JsonObject).map((entry, index) => toBookEntry(entry, book.entries[index]!));
  return { name: book.name, entries, extensions: {} };
}

function toBookEntry(entry: JsonObject, normalized: LoreEntry): JsonObject {
  const position = entry.position ?? 0;
  const extensions: JsonObject = { ...(isObject(entry.extensions) ? entry.extensions : {}), position };
  if (entry.displayIndex !== undefined) extensions.display_index = entry.displayIndex;
  for (const [field, extension, fallback] of ST_EXTENSION_FIELDS) extensions[extension] = entry[field] ?? fallback;
  return {
    id: entry.uid ?? normalized.id,
    keys: normalized.keys,
    secondary_keys: normalized.secondaryKeys,
    comment: normalized.name,
    content: normalized.content,
    constant: normalized.constant,
    selective: normalized.selective,
    insertion_order: normalized.insertionOrder,
    enabled: entry.disable !== true,
    position: position === 0 ? "before_char" : "after_char",
    // SillyTavern writes true on every entry; a V3 reader takes that to make every key a pattern, so
    // "C++" would be a broken regex. True only where a key is written /pattern/flags.
    use_regex: normalized.useRegex,
    extensions,
  };
}
