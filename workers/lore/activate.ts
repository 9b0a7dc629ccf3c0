/**
 * Lorebook (world info) activation with SillyTavern's semantics, as one plain function over prepared
 * books: which entries go into this turn's prompt, where, and for every entry that does not, why.
 *
 * A turn runs sweeps. The first scans the recent messages; each entry is checked (evaluate-entry.ts),
 * the sweep's candidates go through inclusion groups (inclusion-groups.ts), then each rolls its
 * probability, then the token budget admits them (budget.ts). The content of admitted entries without
 * `preventRecursion` is added to the recursion buffer, and the next sweep scans again for the entries
 * of recursive books not yet in; sweeps stop when one adds nothing, when the budget overflows, or at
 * `maxRecursionSteps`. Timed effects come from the branch's timeline (timed-effects.ts).
 *
 * Usage: `const lore = prepareBooks(books)` (cacheable while the books do not change), then per turn
 * `activateLore({ lore, messages, messageIndex, timeline, tokenBudget, countTokens, rng })`, and store
 * `result.timeline` in the reply's metadata.
 */
import {
  DEFAULT_LIMITS,
  type ActivationInput,
  type ActivationResult,
  type ConsideredLoreEntry,
  type InsertedLoreEntry,
  type LoreSkipReason,
  type LoreTrigger,
} from "./activation-types";
import { LoreBudget } from "./budget";
import { evaluateEntry, groupScore, SETTLED_REASONS, type SweepContext } from "./evaluate-entry";
import { resolveInclusionGroups } from "./inclusion-groups";
import type { PreparedEntry, PreparedLore } from "./prepare";
import { promptOrder } from "./prompt-order";
import { RegexGuard } from "./regex-keys";
import { ScanBuffer } from "./scan-buffer";
import { TimedEffects } from "./timed-effects";
import { entriesWokenBy } from "./word-index";

interface Candidate {
  entry: PreparedEntry;
  sticky: boolean;
  trigger: LoreTrigger;
  matchedKey: string | null;
}

interface Inserted extends Candidate {
  tokens: number;
  step: number;
}

interface Skip {
  reason: LoreSkipReason;
  detail?: string;
}

const REPLACEABLE: ReadonlySet<LoreSkipReason> = new Set(["no_key_match", "delayed_until_recursion"]);

/** The counter, memoized per prepared entry: an entry's content is counted once while its books are cached. */
function tokenCounter(lore: PreparedLore, countTokens: (text: string) => number): (entry: PreparedEntry) => number {
  let counts = lore.tokenCounts.get(countTokens);
  if (!counts) {
    counts = new Map();
    lore.tokenCounts.set(countTokens, counts);
  }
  const memo = counts;
  return (entry) => {
    let tokens = memo.get(entry);
    if (tokens === undefined) {
      tokens = countTokens(entry.content);
      memo.set(entry, tokens);
    }
    return tokens;
  };
}

function passesProbability(candidate: Candidate, rng: () => number): boolean {
  const { useProbability, probability } = candidate.entry.entry;
  // Sticky entries do not roll again; 100% and "no probability" do not roll at all (no draw used).
  if (!useProbability || probability >= 100 || candidate.sticky) return true;
  return rng() * 100 < probability;
}

function toInserted(item: Inserted): InsertedLoreEntry {
  const { entry } = item;
  return {
    bookId: entry.bookId,
    entryId: entry.entry.id,
    name: entry.entry.name,
    content: entry.content,
    position: entry.position,
    depth: entry.depth,
    role: entry.role,
    insertionOrder: entry.entry.insertionOrder,
    tokens: item.tokens,
    matchedKey: item.matchedKey,
    trigger: item.trigger,
    step: item.step,
  };
}

function toConsidered(entry: PreparedEntry, inserted: Inserted | undefined, skipped: Skip | undefined): ConsideredLoreEntry {
  const considered: ConsideredLoreEntry = {
    bookId: entry.bookId,
    entryId: entry.entry.id,
    name: entry.entry.name,
    fired: inserted !== undefined,
    reason: inserted ? null : (skipped?.reason ?? "no_key_match"),
    matchedKey: inserted?.matchedKey ?? null,
    warnings: [...entry.warnings],
  };
  if (!inserted && skipped?.detail !== undefined) considered.detail = skipped.detail;
  return considered;
}

export function activateLore(input: ActivationInput): ActivationResult {
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const { lore, rng } = input;
  const timed = new TimedEffects(lore, input.timeline, input.messageIndex);
  const buffer = new ScanBuffer(input.messages, limits.includeNames);
  const guard = new RegexGuard(limits.maxRegexTests, limits.maxRegexInputChars, limits.maxRegexMillis, input.now);
  const budget = new LoreBudget(Math.max(0, input.tokenBudget), lore.bookBudgets, tokenCounter(lore, input.countTokens));
  const assistantMessageCount = input.assistantMessageCount ?? input.messages.filter((message) => message.role === "assistant").length;

  const inserted = new Map<PreparedEntry, Inserted>();
  const skips = new Map<PreparedEntry, Skip>();
  const settled = new Set<PreparedEntry>();
  const activatedGroups = new Set<string>();
  const missedPrimary = new Set<PreparedEntry>();
  const note = (entry: PreparedEntry, skip: Skip) => {
    // The first telling reason stays: later sweeps only replace "no key matched" or "waiting for recursion".
    const earlier = skips.get(entry)?.reason;
    if (!earlier || (REPLACEABLE.has(earlier) && skip.reason !== "no_key_match")) skips.set(entry, skip);
    if (SETTLED_REASONS.has(skip.reason)) settled.add(entry);
  };

  // 0: no limit, as in SillyTavern; every sweep after the first needs a new entry, so sweeps stay finite.
  const maxSweeps = limits.maxRecursionSteps > 0 ? limits.maxRecursionSteps : Number.POSITIVE_INFINITY;
  let step = 0;
  while (step < maxSweeps) {
    step++;
    const context: SweepContext = { step, buffer, guard, timed, defaultScanDepth: limits.defaultScanDepth, assistantMessageCount, missedPrimary };
    const candidates: Candidate[] = [];
    // Later sweeps skip entries whose whole-word keys missed everything so far and are not in the new text.
    const woken = step > 1 ? entriesWokenBy(lore.wordIndex, buffer.newest()) : undefined;
    for (const entry of lore.entries) {
      if (settled.has(entry) || (step > 1 && !entry.recursive)) continue;
      if (woken && !woken.has(entry) && missedPrimary.has(entry) && lore.wordIndex.indexedOnly.has(entry)) continue;
      const result = evaluateEntry(entry, context);
      if (result.fired) candidates.push({ entry, sticky: result.sticky, trigger: result.trigger, matchedKey: result.matchedKey });
      else note(entry, result.detail === undefined ? { reason: result.reason } : { reason: result.reason, detail: result.detail });
    }
    // Sticky entries first, then SillyTavern's evaluation order (a stable sort keeps it).
    candidates.sort((a, b) => Number(b.sticky) - Number(a.sticky));

    const groups = resolveInclusionGroups(candidates, {
      activatedGroups,
      rng,
      useGroupScoring: limits.useGroupScoring,
      score: (entry) => groupScore(entry, context),
    });
    for (const loss of groups.lost) note(loss.candidate.entry, { reason: "group_lost", detail: loss.detail });

    const rolled: Candidate[] = [];
    for (const candidate of groups.kept) {
      if (passesProbability(candidate, rng)) rolled.push(candidate);
      else {
        note(candidate.entry, { reason: "probability", detail: `lost its ${candidate.entry.entry.probability}% roll` });
        settled.add(candidate.entry);
      }
    }

    const { admitted, cut } = budget.admit(rolled);
    for (const { candidate, detail } of cut) {
      note(candidate.entry, { reason: "budget", detail });
      settled.add(candidate.entry);
    }
    const recursionTexts: string[] = [];
    for (const { candidate, tokens } of admitted) {
      inserted.set(candidate.entry, { ...candidate, tokens, step });
      skips.delete(candidate.entry);
      settled.add(candidate.entry);
      for (const group of candidate.entry.groups) activatedGroups.add(group);
      if (!candidate.entry.entry.preventRecursion) recursionTexts.push(candidate.entry.content);
    }
    if (budget.overflowed || !lore.recursive || recursionTexts.length === 0) break;
    buffer.addRecursion(recursionTexts.join("\n"));
  }

  const admittedInOrder = [...inserted.values()];
  const entries = admittedInOrder
    .map((item) => ({ item, placed: { ...item.entry, insertionOrder: item.entry.entry.insertionOrder } }))
    .sort((a, b) => promptOrder(a.placed, b.placed))
    .map(({ item }) => toInserted(item));
  const considered = lore.inBookOrder.map((entry) => toConsidered(entry, inserted.get(entry), skips.get(entry)));
  return {
    entries,
    considered,
    timeline: timed.record(admittedInOrder.map((item) => item.entry)),
    tokens: { used: budget.used, budget: budget.total },
    regex: { tests: guard.tests, skipped: guard.skipped, exhausted: guard.exhausted },
    steps: step,
  };
}
