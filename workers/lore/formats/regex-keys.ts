import { LorebookError } from "./fields";

/**
 * SillyTavern's notation for a regex key, which V3 books written by SillyTavern share: `/pattern/flags`,
 * flags among g i m s u y. A key with an unescaped `/` inside is text to SillyTavern, and to us.
 */
const SLASH_NOTATION = /^\/([\s\S]+?)\/([gimsuy]*)$/;

function slashRegex(key: string): { pattern: string; flags: string } | undefined {
  const match = SLASH_NOTATION.exec(key);
  if (!match || /(^|[^\\])\//.test(match[1]!)) return undefined;
  return { pattern: match[1]!, flags: match[2]! };
}

/** Whether a key is written `/pattern/flags` (whether or not the pattern compiles). */
export const isSlashRegex = (key: string) => slashRegex(key) !== undefined;

function compileError(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Refuses a regex key that does not compile, naming the entry and the key. A key written
 * `/pattern/flags` is a regex in every format (as SillyTavern reads keys); in a V3 entry with
 * `use_regex`, a primary key written without slashes is a pattern of its own (the V3 spec's reading).
 */
export function checkRegexKeys(where: string, keys: string[], secondaryKeys: string[], useRegex: boolean): void {
  const check = (field: string, key: string, bare: boolean) => {
    const regex = slashRegex(key) ?? (bare ? { pattern: key, flags: "" } : undefined);
    if (!regex) return;
    const error = compileError(regex.pattern, regex.flags);
    if (error) throw new LorebookError(`${where}: ${field} ${JSON.stringify(key)} is not a valid regular expression (${error})`);
  };
  for (const key of keys) check("key", key, useRegex);
  for (const key of secondaryKeys) check("secondary key", key, false);
}
