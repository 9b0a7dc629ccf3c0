import type { JsonValue } from "../../db/schema/characters";
import type { LoreEntry } from "../types";
import { type BookBody, EntryIds, entryLabel, FieldReader, isObject, LorebookError, type JsonObject } from "./fields";
import { checkRegexKeys, isSlashRegex } from "./regex-keys";
import { positionOf, roleOf, selectiveLogicOf, ST_DEFAULTS } from "./sillytavern-numbers";

/**
 * A SillyTavern world-info file: `{"entries": {"<uid>": {...}}}`, the fields as SillyTavern's
 * newWorldInfoEntryDefinition names them. Missing fields take SillyTavern's defaults. A file has no
 * book-wide scan depth or budget (those are SillyTavern's global settings), so the engine's defaults apply.
 */
export function normalizeWorldInfo(file: JsonObject): BookBody {
  const entries = file.entries;
  if (!isObject(entries)) throw new LorebookError("entries must be an object of entries keyed by uid");
  const ids = new EntryIds();
  const name = typeof file.name === "string" && file.name.trim() !== "" ? file.name : null;
  return {
    name,
    scanDepth: null,
    tokenBudget: null,
    recursiveScanning: true,
    entries: Object.entries(entries).map(([uid, entry]) => normalizeEntry(uid, entry, ids)),
  };
}

function normalizeEntry(uid: string, raw: JsonValue, ids: EntryIds): LoreEntry {
  if (!isObject(raw)) throw new LorebookError(`entry ${JSON.stringify(uid)}: must be an object`);
  const entry = new FieldReader(raw, entryLabel(JSON.stringify(uid), raw.comment));
  const keys = entry.strings("key");
  const secondaryKeys = entry.strings("keysecondary");
  // SillyTavern has no use_regex: a key written /pattern/flags is a regex, any other is text.
  checkRegexKeys(entry.where, keys, secondaryKeys, false);
  const stPosition = entry.number("position", 0);
  const placed = positionOf(stPosition);
  return {
    id: ids.take(raw.uid, uid),
    name: entry.string("comment", ""),
    keys,
    secondaryKeys,
    content: entry.string("content", ""),
    // A position we cannot place (SillyTavern's outlets) never fires, as in SillyTavern without its {{outlet}} macro.
    enabled: !entry.boolean("disable", false) && placed !== undefined,
    constant: entry.boolean("constant", false),
    selective: entry.boolean("selective", true),
    selectiveLogic: selectiveLogicOf(entry.number("selectiveLogic", null)),
    caseSensitive: entry.boolean("caseSensitive", null),
    matchWholeWords: entry.boolean("matchWholeWords", null),
    useRegex: [...keys, ...secondaryKeys].some(isSlashRegex),
    insertionOrder: entry.number("order", ST_DEFAULTS.order),
    priority: null,
    position: placed ?? "after_char",
    depth: entry.number("depth", ST_DEFAULTS.depth),
    role: roleOf(entry.number("role", null)),
    scanDepth: entry.number("scanDepth", null),
    probability: entry.number("probability", ST_DEFAULTS.probability),
    useProbability: entry.boolean("useProbability", true),
    group: entry.string("group", ""),
    groupOverride: entry.boolean("groupOverride", false),
    groupWeight: entry.number("groupWeight", ST_DEFAULTS.groupWeight),
    excludeRecursion: entry.boolean("excludeRecursion", false),
    preventRecursion: entry.boolean("preventRecursion", false),
    delayUntilRecursion: entry.flag("delayUntilRecursion"),
    sticky: entry.number("sticky", null),
    cooldown: entry.number("cooldown", null),
    delay: entry.number("delay", null),
  };
}
