import type { JsonValue } from "../../db/schema/characters";
import type { LoreEntry } from "../types";
import { type BookBody, EntryIds, entryLabel, FieldReader, isObject, LorebookError, type JsonObject } from "./fields";
import { checkRegexKeys, isSlashRegex } from "./regex-keys";
import { positionOf, roleOf, selectiveLogicOf, ST_DEFAULTS } from "./sillytavern-numbers";

/**
 * A V2/V3 `character_book` (also the `data` of a V3 lorebook): the spec's fields, and SillyTavern's in
 * each entry's `extensions` as its exports write them (snake_case, except `useProbability` and
 * `selectiveLogic`). Where both say something, the spec's field wins, except for the position: an
 * extensions position (0-6) is the precise one, V3's `position` only says before or after the card.
 */
export function normalizeCharacterBook(book: JsonObject, where: string): BookBody {
  const reader = new FieldReader(book, where);
  const entries = book.entries;
  if (!Array.isArray(entries)) throw new LorebookError(`${where}: entries must be a list`);
  const ids = new EntryIds();
  const name = reader.string("name", "");
  return {
    name: name.trim() === "" ? null : name,
    scanDepth: reader.number("scan_depth", null),
    tokenBudget: reader.number("token_budget", null),
    // Unset, the application decides (V3); ours scans recursively, as SillyTavern's default settings do.
    recursiveScanning: reader.boolean("recursive_scanning", true),
    entries: entries.map((entry, index) => normalizeEntry(entry, index, ids)),
  };
}

const firstName = (...names: (JsonValue | undefined)[]) => names.find((name) => typeof name === "string" && name.trim() !== "");

function normalizeEntry(raw: JsonValue, index: number, ids: EntryIds): LoreEntry {
  if (!isObject(raw)) throw new LorebookError(`entry ${index}: must be an object`);
  const entry = new FieldReader(raw, entryLabel(String(index), firstName(raw.name, raw.comment)));
  const ext = entry.extensions();
  const keys = entry.strings("keys");
  const secondaryKeys = entry.strings("secondary_keys");
  const useRegex = entry.boolean("use_regex", false);
  checkRegexKeys(entry.where, keys, secondaryKeys, useRegex);
  const stPosition = ext.number("position", null);
  const placed = positionOf(stPosition);
  return {
    id: ids.take(raw.id, String(index)),
    name: entry.string("name", "") || entry.string("comment", ""),
    keys,
    secondaryKeys,
    content: entry.string("content", ""),
    // An extensions position we cannot place (SillyTavern's outlets) never fires, as in SillyTavern
    // without its {{outlet}} macro.
    enabled: entry.boolean("enabled", true) && (stPosition === null || placed !== undefined),
    constant: entry.boolean("constant", false),
    selective: entry.boolean("selective", false),
    selectiveLogic: selectiveLogicOf(ext.number("selectiveLogic", null)),
    caseSensitive: entry.boolean("case_sensitive", null) ?? ext.boolean("case_sensitive", null),
    matchWholeWords: ext.boolean("match_whole_words", null),
    useRegex: useRegex || [...keys, ...secondaryKeys].some(isSlashRegex),
    insertionOrder: entry.number("insertion_order", ST_DEFAULTS.order),
    priority: entry.number("priority", null),
    position: placed ?? (entry.string("position", "") === "before_char" ? "before_char" : "after_char"),
    depth: ext.number("depth", ST_DEFAULTS.depth),
    role: roleOf(ext.number("role", null)),
    scanDepth: ext.number("scan_depth", null),
    probability: ext.number("probability", ST_DEFAULTS.probability),
    useProbability: ext.boolean("useProbability", true),
    group: ext.string("group", ""),
    groupOverride: ext.boolean("group_override", false),
    groupWeight: ext.number("group_weight", ST_DEFAULTS.groupWeight),
    excludeRecursion: ext.boolean("exclude_recursion", false),
    preventRecursion: ext.boolean("prevent_recursion", false),
    delayUntilRecursion: ext.flag("delay_until_recursion"),
    sticky: ext.number("sticky", null),
    cooldown: ext.number("cooldown", null),
    delay: ext.number("delay", null),
  };
}
