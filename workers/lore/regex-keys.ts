/**
 * Regex keys (`/pattern/flags`, as SillyTavern writes them) and the bounds that keep a bad one from
 * hanging a turn: a longest key, a static refusal of nested unbounded quantifiers (`(a+)+`, the
 * classic catastrophic backtracking), a cap on the text one test sees, and a per-activation budget of
 * tests (and of milliseconds, when a clock is injected; a Worker's clock does not advance while it
 * computes, so the count is the bound that holds there).
 */

export type RegexKeyResult = { ok: true; regex: RegExp; literal: string | null } | { ok: false; error: string };

const FLAGS = /^[gimsuy]*$/;

/**
 * The key as a regex when it has the `/pattern/flags` form (flags among g i m s u y, every inner `/`
 * escaped), else null: the key is plain text, as in SillyTavern. A regex-form key that is too long,
 * risky or invalid gives an error, never a throw.
 */
export function compileRegexKey(key: string, maxLength: number): RegexKeyResult | null {
  if (key.length < 3 || key[0] !== "/") return null;
  // The flags hold no "/", so the closing delimiter is the last "/" (linear, unlike a lazy regex).
  const close = key.lastIndexOf("/");
  if (close < 2) return null;
  const pattern = key.slice(1, close);
  const flags = key.slice(close + 1);
  if (!FLAGS.test(flags) || hasUnescapedSlash(pattern)) return null;
  if (key.length > maxLength) return { ok: false, error: `regex key longer than ${maxLength} characters` };
  const risk = backtrackingRisk(pattern);
  if (risk) return { ok: false, error: risk };
  try {
    return { ok: true, regex: new RegExp(pattern, flags), literal: requiredLiteral(pattern, flags) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function hasUnescapedSlash(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "/") return true;
  }
  return false;
}

/** Length of a `{n}`, `{n,}` or `{n,m}` quantifier at `at`, and whether it repeats (may take more than one). */
function braceQuantifier(pattern: string, at: number): { length: number; repeats: boolean } | null {
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at, at + 24));
  if (!match) return null;
  const repeats = match[2] === undefined ? Number(match[1]) > 1 : match[3] === "" || Number(match[3]) > 1;
  return { length: match[0].length, repeats };
}

/**
 * A reason to refuse the pattern, or null. Refuses a repeated group whose body itself holds a
 * repeating quantifier: `(a+)+`, `(\w*\s?)*`, `((x|y)+z){2,}`. Alternations whose branches overlap
 * (`(a|a)+`) are not caught; the input cap and the test budget bound those.
 */
export function backtrackingRisk(pattern: string): string | null {
  const groups: boolean[] = [];
  let afterRepeatingGroup = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (inClass) {
      if (char === "\\") i++;
      else if (char === "]") inClass = false;
      continue;
    }
    let repeats = false;
    let quantifier = false;
    if (char === "*" || char === "+") {
      quantifier = true;
      repeats = true;
    } else if (char === "{") {
      const brace = braceQuantifier(pattern, i);
      if (brace) {
        quantifier = true;
        repeats = brace.repeats;
        i += brace.length - 1;
      }
    } else if (char === "?") {
      // Optional or lazy: neither repeats, and a lazy mark keeps what came before.
      continue;
    }
    if (quantifier) {
      if (repeats && afterRepeatingGroup) return "nested repetition (such as (a+)+) can backtrack catastrophically";
      if (repeats && groups.length > 0) groups[groups.length - 1] = true;
      afterRepeatingGroup = false;
      continue;
    }
    afterRepeatingGroup = false;
    if (char === "\\") i++;
    else if (char === "[") inClass = true;
    else if (char === "(") groups.push(false);
    else if (char === ")") {
      const bodyRepeats = groups.pop() ?? false;
      if (bodyRepeats && groups.length > 0) groups[groups.length - 1] = true;
      afterRepeatingGroup = bodyRepeats;
    }
  }
  return null;
}

function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") i++;
    else if (inClass) inClass = char !== "]";
    else if (char === "[") inClass = true;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "|" && depth === 0) return true;
  }
  return false;
}

/**
 * Text that any match must contain (lowercased when the regex ignores case), or null: the pattern's
 * leading run of ASCII letters, digits and spaces, when it has no top-level alternation; a quantifier
 * after the run may drop its last character, so that one is left out. A text without it cannot match,
 * and the regex is then not run. None with `iu` (Unicode case folding maps some non-ASCII to ASCII).
 */
export function requiredLiteral(pattern: string, flags: string): string | null {
  const ignoreCase = flags.includes("i");
  if ((ignoreCase && flags.includes("u")) || hasTopLevelAlternation(pattern)) return null;
  const start = pattern.startsWith("^") ? 1 : 0;
  let end = start;
  while (end < pattern.length && /[A-Za-z0-9 ]/.test(pattern[end]!)) end++;
  if (end < pattern.length && "?*{".includes(pattern[end]!)) end--;
  const literal = pattern.slice(start, Math.max(start, end));
  if (literal.length < 3) return null;
  return ignoreCase ? literal.toLowerCase() : literal;
}

/** Counts and times the regex tests of one activation, and refuses them past the limits. */
export class RegexGuard {
  tests = 0;
  skipped = 0;
  exhausted = false;
  private readonly startedAt: number | undefined;

  constructor(
    private readonly maxTests: number,
    private readonly maxInputChars: number,
    private readonly maxMillis: number,
    private readonly now?: () => number,
  ) {
    this.startedAt = now?.();
  }

  /** true or false, or null when the budget is spent (the test was not run). */
  test(regex: RegExp, text: string): boolean | null {
    if (!this.exhausted) {
      const elapsed = this.now && this.startedAt !== undefined ? this.now() - this.startedAt : 0;
      if (this.tests >= this.maxTests || elapsed > this.maxMillis) this.exhausted = true;
    }
    if (this.exhausted) {
      this.skipped++;
      return null;
    }
    this.tests++;
    regex.lastIndex = 0;
    const input = text.length > this.maxInputChars ? text.slice(0, this.maxInputChars) : text;
    return regex.test(input);
  }
}
