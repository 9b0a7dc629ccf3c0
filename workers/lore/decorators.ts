/**
 * Character Card V3 decorators: `@@name value` lines at the top of an entry's content. They are taken
 * off the content (with the blank lines after them), the ones this engine knows are applied, and the
 * rest are ignored. A `@@@name value` line right after a decorator is its fallback, considered only
 * when the decorator before it was not recognized or not valid; of several decorators with one name
 * only the first counts (both as the V3 spec says).
 *
 * Known: `@@activate`, `@@dont_activate`, `@@depth N`, `@@role system|user|assistant`,
 * `@@position before_desc|after_desc` (and this engine's positions: `before_char`, `after_char`,
 * `an_top`, `an_bottom`, `em_top`, `em_bottom`, `at_depth`), `@@scan_depth N`,
 * `@@activate_only_after N`, `@@activate_only_every N`, `@@keep_activate_after_match`,
 * `@@dont_activate_after_match`, `@@ignore_on_max_context`, `@@additional_keys a,b`,
 * `@@exclude_keys a,b`. Ignored, as having no meaning here: `@@instruct_depth`,
 * `@@reverse_depth`, `@@reverse_instruct_depth`, `@@instruct_scan_depth`, `@@is_greeting`,
 * `@@is_user_icon`, `@@disable_ui_prompt`, positions `personality` and `scenario`, and any other.
 */
import type { LorePosition, LoreRole } from "./types";

export interface Decorator {
  name: string;
  value: string;
}

export interface ParsedContent {
  /** Recognized and valid decorators, in content order. */
  decorators: Decorator[];
  /** Decorator lines that were not applied (unknown names, bad values, repeats). */
  ignored: string[];
  /** The content without the decorator lines. */
  content: string;
}

export interface DecoratorEffects {
  activate: boolean;
  dontActivate: boolean;
  keepActivateAfterMatch: boolean;
  dontActivateAfterMatch: boolean;
  ignoreOnMaxContext: boolean;
  position?: LorePosition;
  depth?: number;
  role?: LoreRole;
  scanDepth?: number;
  activateOnlyAfter?: number;
  activateOnlyEvery?: number;
  additionalKeys?: string;
  excludeKeys?: string;
}

const FLAGS = ["activate", "dont_activate", "keep_activate_after_match", "dont_activate_after_match", "ignore_on_max_context"] as const;
const COUNTS = ["depth", "scan_depth", "activate_only_after"] as const;
const ROLES: readonly string[] = ["system", "user", "assistant"];
const POSITIONS: Record<string, LorePosition> = {
  before_desc: "before_char",
  after_desc: "after_char",
  before_char: "before_char",
  after_char: "after_char",
  an_top: "an_top",
  an_bottom: "an_bottom",
  em_top: "em_top",
  em_bottom: "em_bottom",
  at_depth: "at_depth",
};

function isValid({ name, value }: Decorator): boolean {
  if ((FLAGS as readonly string[]).includes(name)) return true;
  if ((COUNTS as readonly string[]).includes(name)) return /^\d+$/.test(value);
  if (name === "activate_only_every") return /^\d+$/.test(value) && Number(value) >= 1;
  if (name === "role") return ROLES.includes(value);
  if (name === "position") return value in POSITIONS;
  if (name === "additional_keys" || name === "exclude_keys") return value.split(",").some((key) => key.trim());
  return false;
}

function readDecorator(text: string): Decorator | null {
  const match = /^(\w+)(?:\s+(.*))?$/.exec(text.trim());
  return match ? { name: match[1]!, value: (match[2] ?? "").trim() } : null;
}

/** Takes the decorator lines off the top of an entry's content. Plain: no entry, no state. */
export function parseDecorators(content: string): ParsedContent {
  const lines = content.split(/\r?\n/);
  let at = 0;
  while (at < lines.length && !lines[at]!.trim()) at++;
  if (!lines[at]?.startsWith("@@")) return { decorators: [], ignored: [], content };
  const decorators: Decorator[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  // Whether the last decorator of the current chain was not applied, so a `@@@` fallback is looked at.
  let fallbackOpen = false;
  for (; at < lines.length && lines[at]!.startsWith("@@"); at++) {
    const line = lines[at]!.trim();
    const isFallback = line.startsWith("@@@");
    if (isFallback && !fallbackOpen) continue;
    const decorator = readDecorator(line.slice(isFallback ? 3 : 2));
    const applied = decorator !== null && isValid(decorator) && !seen.has(decorator.name);
    if (applied) {
      decorators.push(decorator);
      seen.add(decorator.name);
    } else ignored.push(line);
    fallbackOpen = !applied;
  }
  while (at < lines.length && !lines[at]!.trim()) at++;
  return { decorators, ignored, content: lines.slice(at).join("\n") };
}

/** What the applied decorators mean for activation and placement. */
export function decoratorEffects(decorators: Decorator[]): DecoratorEffects {
  const value = (name: string) => decorators.find((decorator) => decorator.name === name)?.value;
  const has = (name: string) => value(name) !== undefined;
  const count = (name: string) => {
    const text = value(name);
    return text === undefined ? undefined : Number(text);
  };
  const position = value("position");
  return {
    activate: has("activate"),
    dontActivate: has("dont_activate"),
    keepActivateAfterMatch: has("keep_activate_after_match"),
    dontActivateAfterMatch: has("dont_activate_after_match"),
    ignoreOnMaxContext: has("ignore_on_max_context"),
    position: position === undefined ? undefined : POSITIONS[position],
    // "If @@position is present, @@depth is ignored."
    depth: position === undefined ? count("depth") : undefined,
    role: value("role") as LoreRole | undefined,
    scanDepth: count("scan_depth"),
    activateOnlyAfter: count("activate_only_after"),
    activateOnlyEvery: count("activate_only_every"),
    additionalKeys: value("additional_keys"),
    excludeKeys: value("exclude_keys"),
  };
}

/** Where the entry goes once its decorators are applied: `@@depth N` puts it at depth N. */
export function placement(
  entry: { position: LorePosition; depth: number; role: LoreRole },
  effects: DecoratorEffects,
): { position: LorePosition; depth: number; role: LoreRole } {
  return {
    position: effects.position ?? (effects.depth !== undefined ? "at_depth" : entry.position),
    depth: effects.depth ?? entry.depth,
    role: effects.role ?? entry.role,
  };
}
