/**
 * Whether one entry fires in one sweep, checked in SillyTavern's order: disabled; delay; cooldown
 * (unless sticky); delay-until-recursion on the first sweep and exclude-recursion on later ones
 * (unless sticky); `@@activate`; the blocking decorators; constant; sticky; then the keys: a primary
 * key, the secondary keys under the selective logic, and the V3 `@@additional_keys` /
 * `@@exclude_keys`. Probability, groups and the budget come after, over the sweep's candidates.
 */
import type { LoreSkipReason, LoreTrigger } from "./activation-types";
import { firstMatchingKey, keyOutcomes } from "./match-keys";
import type { PreparedEntry } from "./prepare";
import type { RegexGuard } from "./regex-keys";
import type { ScanBuffer, ScanText } from "./scan-buffer";
import { keyScore, secondaryLogicPasses } from "./secondary-logic";
import type { TimedEffects } from "./timed-effects";

export interface SweepContext {
  /** 1: the messages; 2 and on: recursion. */
  step: number;
  buffer: ScanBuffer;
  guard: RegexGuard;
  timed: TimedEffects;
  defaultScanDepth: number;
  assistantMessageCount: number;
  /** Entries whose plain primary keys missed all the text of earlier sweeps: only the new text is searched for them. */
  missedPrimary: Set<PreparedEntry>;
}

export type Evaluation =
  | { fired: true; trigger: LoreTrigger; matchedKey: string | null; sticky: boolean }
  | { fired: false; reason: LoreSkipReason; detail?: string };

/** Reasons that hold for the whole turn: the entry is not looked at again in later sweeps. */
export const SETTLED_REASONS: ReadonlySet<LoreSkipReason> = new Set(["disabled", "delay", "cooldown", "decorator", "empty_content", "recursion_excluded"]);

const skip = (reason: LoreSkipReason, detail?: string): Evaluation => (detail === undefined ? { fired: false, reason } : { fired: false, reason, detail });
const fire = (trigger: LoreTrigger, matchedKey: string | null = null, sticky = false): Evaluation => ({ fired: true, trigger, matchedKey, sticky });

function scanText(entry: PreparedEntry, context: SweepContext): ScanText {
  return context.buffer.text(entry.scanDepth ?? context.defaultScanDepth, entry.recursive && context.step > 1);
}

function blockingDecorator(entry: PreparedEntry, context: SweepContext): string | null {
  const { effects } = entry;
  const count = context.assistantMessageCount;
  if (effects.dontActivate) return "@@dont_activate";
  if (effects.activateOnlyAfter !== undefined && count < effects.activateOnlyAfter) {
    return `@@activate_only_after ${effects.activateOnlyAfter}: ${count} character messages so far`;
  }
  if (effects.activateOnlyEvery !== undefined && count % effects.activateOnlyEvery !== 0) {
    return `@@activate_only_every ${effects.activateOnlyEvery}: ${count} character messages so far`;
  }
  if (effects.dontActivateAfterMatch && context.timed.hasMatchedBefore(entry)) return "@@dont_activate_after_match: it fired before on this branch";
  return null;
}

function matchByKeys(entry: PreparedEntry, context: SweepContext): Evaluation {
  if (entry.keys.length === 0) return skip("no_key_match", "no keys");
  const text = scanText(entry, context);
  const incremental = context.step > 1 && context.missedPrimary.has(entry);
  const primary = firstMatchingKey(entry.keys, text, context.guard, incremental ? context.buffer.newest() : text);
  if (!primary.key) {
    context.missedPrimary.add(entry);
    if (primary.skipped > 0) return skip("regex_skipped", "regex budget spent before every key was tried");
    if (primary.invalid > 0) return skip("regex_error", "no usable key matched");
    return skip("no_key_match");
  }
  const { entry: fields } = entry;
  if (fields.selective && entry.secondaryKeys.length > 0) {
    const outcomes = keyOutcomes(entry.secondaryKeys, text, context.guard);
    if (outcomes.includes(null)) return skip("regex_skipped", "regex budget spent before the secondary keys were tried");
    if (!secondaryLogicPasses(fields.selectiveLogic, outcomes as boolean[])) return skip("secondary_logic_failed", fields.selectiveLogic);
  }
  if (entry.additionalKeys.length > 0 && !firstMatchingKey(entry.additionalKeys, text, context.guard).key) {
    return skip("decorator", "@@additional_keys: none present");
  }
  if (entry.excludeKeys.length > 0 && firstMatchingKey(entry.excludeKeys, text, context.guard).key) {
    return skip("decorator", "@@exclude_keys: one is present");
  }
  return fire("key", primary.key.source);
}

function evaluate(entry: PreparedEntry, context: SweepContext): Evaluation {
  const { entry: fields, effects } = entry;
  if (!fields.enabled) return skip("disabled");
  if (context.timed.isDelayed(entry)) return skip("delay", `fires from ${fields.delay} messages on the branch`);
  const sticky = context.timed.isSticky(entry);
  if (!sticky) {
    if (context.timed.isCoolingDown(entry)) return skip("cooldown");
    if (context.step === 1 && fields.delayUntilRecursion) return skip("delayed_until_recursion");
    if (context.step > 1 && fields.excludeRecursion) {
      const would = matchByKeys(entry, context);
      return would.fired ? skip("recursion_excluded", `matched ${JSON.stringify(would.matchedKey)} only through other entries`) : would;
    }
  }
  if (effects.activate) return fire("decorator", null, sticky);
  const blocked = blockingDecorator(entry, context);
  if (blocked) return skip("decorator", blocked);
  if (effects.keepActivateAfterMatch && context.timed.hasMatchedBefore(entry)) return fire("decorator", null, sticky);
  if (fields.constant) return fire("constant", null, sticky);
  if (sticky) return fire("sticky", null, true);
  return matchByKeys(entry, context);
}

export function evaluateEntry(entry: PreparedEntry, context: SweepContext): Evaluation {
  const result = evaluate(entry, context);
  // V3: an empty content adds nothing, whatever matched.
  if (result.fired && !entry.content.trim()) return skip("empty_content");
  return result;
}

/** Key-match score for inclusion-group scoring, over the entry's text in this sweep. */
export function groupScore(entry: PreparedEntry, context: SweepContext): number {
  const text = scanText(entry, context);
  const primary = keyOutcomes(entry.keys, text, context.guard).map(Boolean);
  const secondary = entry.entry.selective ? keyOutcomes(entry.secondaryKeys, text, context.guard).map(Boolean) : [];
  return keyScore(entry.entry.selectiveLogic, primary, secondary);
}
