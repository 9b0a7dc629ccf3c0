import { normalizeCharacterBook } from "./character-book";
import { type BookBody, isObject, LorebookError, type JsonObject } from "./fields";
import { normalizeWorldInfo } from "./sillytavern";

/** The three shapes a lorebook document comes in (CHARACTER-ENGINE.md §2). */
export type LorebookFormat = "v3" | "character_book" | "sillytavern";

/** Large world files run to a few hundred KB; 2 MiB is generous, and is checked before parsing. */
export const MAX_LOREBOOK_BYTES = 2 * 1024 * 1024;
export const MAX_LORE_ENTRIES = 5000;

export interface ParsedLorebook {
  format: LorebookFormat;
  /** The document as it came, every field kept: what an export in the same format gives back. */
  source: JsonObject;
  book: BookBody;
}

/**
 * Reads a lorebook document of any of the three formats into its normalized form, or throws a
 * LorebookError saying what is wrong (and with which entry).
 *
 * @example
 * const { format, book } = parseLorebook('{"entries": {"0": {"key": ["Elara"], "content": "An elf."}}}');
 * // format === "sillytavern", book.entries[0].keys == ["Elara"]
 */
export function parseLorebook(text: string): ParsedLorebook {
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap test settles most documents.
  if (text.length > MAX_LOREBOOK_BYTES || new TextEncoder().encode(text).byteLength > MAX_LOREBOOK_BYTES) {
    throw new LorebookError(`Lorebooks are limited to ${MAX_LOREBOOK_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    throw new LorebookError("The lorebook is not valid JSON");
  }
  if (!isObject(value)) throw new LorebookError("The lorebook is not a JSON object");
  const { format, book, where } = detect(value);
  const count = Array.isArray(book.entries) ? book.entries.length : isObject(book.entries) ? Object.keys(book.entries).length : 0;
  // Counted before anything is normalized, so an oversized book costs no more than its parse.
  if (count > MAX_LORE_ENTRIES) throw new LorebookError(`The lorebook has ${count} entries; at most ${MAX_LORE_ENTRIES} are allowed`);
  return { format, source: value, book: format === "sillytavern" ? normalizeWorldInfo(book) : normalizeCharacterBook(book, where) };
}

const SHAPES =
  'expected a V3 lorebook ({"spec": "lorebook_v3", "data": {...}}), a character_book ({"name", "entries": [...]}) ' +
  'or a SillyTavern world-info file ({"entries": {"<uid>": {...}}})';

function detect(document: JsonObject): { format: LorebookFormat; book: JsonObject; where: string } {
  if (Object.hasOwn(document, "spec")) {
    const spec = document.spec;
    if (spec !== "lorebook_v3") {
      const card = spec === "chara_card_v2" || spec === "chara_card_v3" ? " (a character card: import it at /api/v1/characters/import)" : "";
      throw new LorebookError(`Unsupported lorebook spec ${JSON.stringify(spec)}${card}: expected "lorebook_v3"`);
    }
    if (!isObject(document.data)) throw new LorebookError("A V3 lorebook's data must be an object");
    return { format: "v3", book: document.data, where: "data" };
  }
  if (Array.isArray(document.entries)) return { format: "character_book", book: document, where: "the lorebook" };
  if (isObject(document.entries)) return { format: "sillytavern", book: document, where: "the lorebook" };
  throw new LorebookError(`Not a lorebook: ${SHAPES}`);
}
