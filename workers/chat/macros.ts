/**
 * The macros character cards use. `{{char}}`/`{{user}}` (any case, spaces allowed inside the braces)
 * and the legacy `<BOT>`/`<USER>` of V1 cards, plus `<char>` which the V3 spec lists with `<bot>`.
 * With a V3 nickname, {{char}} is the nickname.
 */
export interface MacroNames {
  char: string;
  user: string;
}

const CHAR = /\{\{\s*char\s*\}\}|<bot>|<char>/gi;
const USER = /\{\{\s*user\s*\}\}|<user>/gi;

// Replacer functions, not strings: a name like "$&" must come out as written.
export const substituteMacros = (text: string, names: MacroNames) => text.replace(CHAR, () => names.char).replace(USER, () => names.user);

/** `{{original}}`: in a card's system prompt (or post-history instructions), what the app would have used without it. */
export const substituteOriginal = (text: string, original: string) => text.replace(/\{\{\s*original\s*\}\}/gi, () => original);

/** The user's name in macros when the client gives none. */
export const DEFAULT_USER_NAME = "User";
