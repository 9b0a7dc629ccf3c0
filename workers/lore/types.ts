/**
 * Lorebooks (world info) as the engine sees them: one normalized shape for V3 lorebooks, V2/V3
 * `character_book` objects and SillyTavern world-info files (CHARACTER-ENGINE.md §2). Field meanings
 * follow SillyTavern's World Info; storage keeps the original fields beside these (see `source`), so
 * an export gives back what was imported.
 */

export type SelectiveLogic = "AND_ANY" | "NOT_ALL" | "NOT_ANY" | "AND_ALL";

/**
 * Where an entry goes in the prompt. SillyTavern's `extensions.position` numbers map to:
 * 0 before_char, 1 after_char, 2 an_top, 3 an_bottom, 4 at_depth, 5 em_top, 6 em_bottom.
 * V3's `position` "before_char" / "after_char" map to the first two.
 */
export type LorePosition = "before_char" | "after_char" | "an_top" | "an_bottom" | "at_depth" | "em_top" | "em_bottom";

export type LoreRole = "system" | "user" | "assistant";

export interface LoreEntry {
  /** Unique within its book: V3 `id`, or the SillyTavern `uid`, as a string. */
  id: string;
  /** V3 `name` / SillyTavern `comment`. */
  name: string;
  keys: string[];
  secondaryKeys: string[];
  content: string;
  enabled: boolean;
  constant: boolean;
  /** Whether secondary keys apply (V3 `selective`). */
  selective: boolean;
  selectiveLogic: SelectiveLogic;
  /** null: the book's (or the engine's) default. */
  caseSensitive: boolean | null;
  matchWholeWords: boolean | null;
  /** Keys are `/pattern/flags` regexes (V3 `use_regex`; SillyTavern writes such keys as plain strings). */
  useRegex: boolean;
  /** Higher goes later (closer to the end) among entries at one position. */
  insertionOrder: number;
  /** V3 `priority`: when over budget, lower priority is dropped first. null: as insertionOrder. */
  priority: number | null;
  position: LorePosition;
  /** For `at_depth`: messages from the end of the history. */
  depth: number;
  role: LoreRole;
  /** Messages scanned for keys; null: the book's, else 2. */
  scanDepth: number | null;
  /** 0-100; with useProbability false it always fires. */
  probability: number;
  useProbability: boolean;
  /** Inclusion groups: comma-separated names; of entries of one group that fire, one is kept. */
  group: string;
  groupOverride: boolean;
  groupWeight: number;
  /**
   * SillyTavern's per-entry "Use Group Scoring" (`extensions.use_group_scoring`): in its inclusion
   * groups only the members with the most key matches compete. Absent or null: the engine's setting.
   */
  useGroupScoring?: boolean | null;
  /** Recursion: not matched by text from other entries / its text does not trigger others / only matched in recursion. */
  excludeRecursion: boolean;
  preventRecursion: boolean;
  delayUntilRecursion: boolean;
  /** Timed effects, in messages along the active branch; null: none. */
  sticky: number | null;
  cooldown: number | null;
  delay: number | null;
}

export interface LoreBook {
  id: string;
  name: string;
  scanDepth: number | null;
  /** In tokens; null: 25% of the context window. */
  tokenBudget: number | null;
  recursiveScanning: boolean;
  entries: LoreEntry[];
}
