import type { JsonValue } from "../../db/schema/characters";

type Kind = "boolean" | "number" | "string" | "list" | "flag";

/**
 * The entry fields SillyTavern's converters carry between a world-info entry (camelCase, top level)
 * and a character_book entry's `extensions` (mostly snake_case): `convertCharacterBook` one way,
 * `convertWorldInfoToCharacterBook` the other. The fallback is what a missing field means on import
 * (SillyTavern's export fills a few with other defaults; ours keeps the meaning, e.g. a missing
 * `useProbability` stays true). The kind is what SillyTavern writes there ("flag": a boolean or a number).
 */
export const ST_EXTENSION_FIELDS: readonly (readonly [worldInfo: string, extension: string, fallback: JsonValue, kind: Kind])[] = [
  ["excludeRecursion", "exclude_recursion", false, "boolean"],
  ["preventRecursion", "prevent_recursion", false, "boolean"],
  ["delayUntilRecursion", "delay_until_recursion", false, "flag"],
  ["probability", "probability", 100, "number"],
  ["useProbability", "useProbability", true, "boolean"],
  ["depth", "depth", 4, "number"],
  ["selectiveLogic", "selectiveLogic", 0, "number"],
  ["outletName", "outlet_name", "", "string"],
  ["group", "group", "", "string"],
  ["groupOverride", "group_override", false, "boolean"],
  ["groupWeight", "group_weight", 100, "number"],
  ["scanDepth", "scan_depth", null, "number"],
  ["caseSensitive", "case_sensitive", null, "boolean"],
  ["matchWholeWords", "match_whole_words", null, "boolean"],
  ["useGroupScoring", "use_group_scoring", null, "boolean"],
  ["automationId", "automation_id", "", "string"],
  ["role", "role", 0, "number"],
  ["vectorized", "vectorized", false, "boolean"],
  ["sticky", "sticky", null, "number"],
  ["cooldown", "cooldown", null, "number"],
  ["delay", "delay", null, "number"],
  ["matchPersonaDescription", "match_persona_description", false, "boolean"],
  ["matchCharacterDescription", "match_character_description", false, "boolean"],
  ["matchCharacterPersonality", "match_character_personality", false, "boolean"],
  ["matchCharacterDepthPrompt", "match_character_depth_prompt", false, "boolean"],
  ["matchScenario", "match_scenario", false, "boolean"],
  ["matchCreatorNotes", "match_creator_notes", false, "boolean"],
  ["triggers", "triggers", [], "list"],
  ["ignoreBudget", "ignore_budget", false, "boolean"],
];

/**
 * A value of an extensions field if it is of the kind SillyTavern writes there, else the fallback: a
 * V3 entry's extensions are every application's namespace, and what is not SillyTavern's must not turn
 * into a SillyTavern field of the wrong type.
 */
export function ofKind(value: JsonValue | undefined, kind: Kind, fallback: JsonValue): JsonValue {
  if (value === undefined || value === null) return fallback;
  if (kind === "list") return Array.isArray(value) ? value : fallback;
  if (kind === "flag") return typeof value === "boolean" || typeof value === "number" ? value : fallback;
  return typeof value === kind ? value : fallback;
}
