import type { LorePosition, LoreRole, SelectiveLogic } from "../types";

// SillyTavern stores these as numbers (world_info_position, extension_prompt_roles, world_info_logic);
// the index in each list is SillyTavern's number.
const POSITIONS: readonly LorePosition[] = ["before_char", "after_char", "an_top", "an_bottom", "at_depth", "em_top", "em_bottom"];
const ROLES: readonly LoreRole[] = ["system", "user", "assistant"];
const LOGIC: readonly SelectiveLogic[] = ["AND_ANY", "NOT_ALL", "NOT_ANY", "AND_ALL"];

const at = <T>(list: readonly T[], n: number | null): T | undefined => (n !== null && Number.isInteger(n) ? list[n] : undefined);

/** 0-6 as LorePosition; undefined for anything else (SillyTavern's newer 7, an "outlet", has no place in our prompts). */
export const positionOf = (n: number | null) => at(POSITIONS, n);

export const roleOf = (n: number | null): LoreRole => at(ROLES, n) ?? "system";

export const selectiveLogicOf = (n: number | null): SelectiveLogic => at(LOGIC, n) ?? "AND_ANY";

/** SillyTavern's defaults for what an entry leaves out (newWorldInfoEntryDefinition). */
export const ST_DEFAULTS = { order: 100, depth: 4, probability: 100, groupWeight: 100 } as const;
