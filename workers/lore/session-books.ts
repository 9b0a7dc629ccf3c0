import type { DepthInsert } from "../chat/depth-inserts";
import type { TurnLore } from "../chat/turn";
import { cachedLorebook } from "../db/lorebook-cache";
import type { CharacterRow } from "../db/schema";
import type { Env, WaitUntil } from "../env";
import { errorText, log } from "../log";
import { normalizeCharacterBook } from "./formats/character-book";
import { prepareBooks, type PreparedLore } from "./prepare";
import type { LoreBook } from "./types";

export interface SessionNote {
  content: string;
  depth: number;
  role: DepthInsert["role"];
}

// Keyed by id and version (the row's updated_at), not by object: the caches reload their objects every
// few seconds, and a book must not be read or prepared again unless it changed.
const cardBooks = new Map<string, LoreBook | null>();
const prepared = new Map<string, PreparedLore>();
const CARD_BOOKS_MAX = 200;
// A prepared 1,000-entry book takes about 2 MiB: a few sets per isolate.
const PREPARED_MAX = 20;

/** Map insertion order is age order: the oldest entry goes first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): V {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
  return value;
}

/** The card's own `character_book` as a lorebook, `character:<id>`; null if it has none or it no longer reads. */
function cardBook(character: CharacterRow): LoreBook | null {
  const key = `${character.id}@${character.updatedAt}`;
  const known = cardBooks.get(key);
  if (known !== undefined) return known;
  let book: LoreBook | null = null;
  if (character.characterBook) {
    try {
      const body = normalizeCharacterBook(character.characterBook, `character ${character.id}'s character_book`);
      book = { ...body, id: `character:${character.id}`, name: body.name ?? `${character.name}'s book` };
    } catch (error) {
      // Imported before lorebooks were checked: the character still talks, without its book.
      log("warn", "character_book_unreadable", { character_id: character.id, error: errorText(error) });
    }
  }
  return remember(cardBooks, key, book, CARD_BOOKS_MAX);
}

/** The prepared form of these books, keyed by their ids and versions. */
function prepare(books: { book: LoreBook; version: string }[]): PreparedLore {
  const key = books.map(({ book, version }) => `${book.id}@${version}`).join("\n");
  return prepared.get(key) ?? remember(prepared, key, prepareBooks(books.map(({ book }) => book)), PREPARED_MAX);
}

/** SillyTavern's character note: `extensions.depth_prompt {prompt, depth, role}` of the card. */
function depthPrompt(character: CharacterRow): DepthInsert | undefined {
  const note = character.extensions?.depth_prompt;
  if (!note || typeof note !== "object" || Array.isArray(note)) return undefined;
  const prompt = typeof note.prompt === "string" ? note.prompt : "";
  if (!prompt.trim()) return undefined;
  const depth = typeof note.depth === "number" && note.depth >= 0 ? Math.floor(note.depth) : 4;
  const role = note.role === "user" || note.role === "assistant" ? note.role : "system";
  return { content: prompt, depth, role };
}

/**
 * What shapes a turn besides the card: the card's book, the character's lorebooks and the session's
 * (in that order, each book once), the author's note and the character's depth note. Books come from
 * the isolate's cache: no D1 read on a warm isolate; a book deleted meanwhile is left out.
 */
export async function turnLore(env: Env, character: CharacterRow, sessionBookIds: string[], note: SessionNote, ctx?: WaitUntil): Promise<TurnLore> {
  const ids = [...new Set([...(character.lorebookIds ?? []), ...sessionBookIds])];
  const attached = await Promise.all(ids.map((id) => cachedLorebook(env, id, ctx)));
  const card = cardBook(character);
  const books = [...(card ? [{ book: card, version: character.updatedAt }] : []), ...attached.filter((found) => found !== undefined)];
  const notes: DepthInsert[] = [];
  // The author's note comes first: world info placed at its top or bottom goes with it.
  notes.push({ content: note.content, depth: note.depth, role: note.role });
  const characterNote = depthPrompt(character);
  if (characterNote) notes.push(characterNote);
  return { books: prepare(books), notes };
}
