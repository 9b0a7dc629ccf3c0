/**
 * Timed effects as SillyTavern counts them, in messages along the active branch (not turns: a turn
 * that answers the user usually advances the branch by two messages).
 *
 * - sticky N: an entry that fires at index i stays in the prompt on the turns while the index is
 *   below i + N, whatever the keys and without a new probability roll;
 * - cooldown N: it cannot fire again while the index is below i + N; with sticky too, the cooldown
 *   starts when the sticky window ends (on the first turn at or past it);
 * - delay N: it cannot fire until the branch holds N messages (index N - 1), the new one included;
 * - firing again while a window is open does not lengthen it.
 *
 * State lives in the replies: each turn's `LoreTimelineRecord` holds the windows in force after it,
 * and a turn starts from the latest record of an earlier message on its own branch. A regenerated
 * reply therefore starts from the records above it, as SillyTavern drops effects when the chat has
 * not advanced; an edited branch has only its own replies' records.
 */
import type { LoreEntryRef, LoreTimedEffect, LoreTimelineRecord } from "./activation-types";
import { entryRef, type PreparedEntry, type PreparedLore } from "./prepare";

/** The record a turn at `messageIndex` starts from: the latest one of an earlier message. */
function latestRecordBefore(timeline: LoreTimelineRecord[], messageIndex: number): LoreTimelineRecord | undefined {
  let latest: LoreTimelineRecord | undefined;
  for (const record of timeline) {
    if (record.messageIndex < messageIndex && (!latest || record.messageIndex > latest.messageIndex)) latest = record;
  }
  return latest;
}

function positive(value: number | null): number {
  return value !== null && value > 0 ? value : 0;
}

export class TimedEffects {
  private readonly sticky = new Map<string, LoreTimedEffect>();
  private readonly cooldown = new Map<string, LoreTimedEffect>();
  private readonly matched = new Map<string, LoreEntryRef>();

  constructor(
    private readonly lore: PreparedLore,
    timeline: LoreTimelineRecord[],
    private readonly messageIndex: number,
  ) {
    const previous = latestRecordBefore(timeline, messageIndex);
    if (!previous) return;
    for (const ref of previous.matched ?? []) this.matched.set(entryRef(ref.bookId, ref.entryId), ref);
    // Sticky windows first: one that has just ended starts the cooldown, which then counts from now.
    const ordered = [...previous.effects].sort((a, b) => (a.type === b.type ? 0 : a.type === "sticky" ? -1 : 1));
    for (const effect of ordered) this.carry(effect);
  }

  private carry(effect: LoreTimedEffect): void {
    const ref = entryRef(effect.bookId, effect.entryId);
    const windows = effect.type === "sticky" ? this.sticky : this.cooldown;
    if (effect.start >= this.messageIndex || windows.has(ref)) return;
    const entry = this.lore.byRef.get(ref);
    if (!entry) {
      // From a book not in this turn's lore (another character's): kept until its window passes.
      if (effect.end > this.messageIndex) windows.set(ref, effect);
      return;
    }
    if (!positive(entry.entry[effect.type])) return;
    if (effect.end > this.messageIndex) {
      windows.set(ref, effect);
      return;
    }
    const cooldown = positive(entry.entry.cooldown);
    if (effect.type === "sticky" && cooldown) this.cooldown.set(ref, this.window(entry, "cooldown", cooldown));
  }

  private window(entry: PreparedEntry, type: LoreTimedEffect["type"], length: number): LoreTimedEffect {
    return { bookId: entry.bookId, entryId: entry.entry.id, type, start: this.messageIndex, end: this.messageIndex + length };
  }

  isSticky(entry: PreparedEntry): boolean {
    return this.sticky.has(entry.ref);
  }

  isCoolingDown(entry: PreparedEntry): boolean {
    return this.cooldown.has(entry.ref);
  }

  /** Delay N: fewer than N messages on the branch, the new one included. */
  isDelayed(entry: PreparedEntry): boolean {
    return this.messageIndex + 1 < positive(entry.entry.delay);
  }

  hasMatchedBefore(entry: PreparedEntry): boolean {
    return this.matched.has(entry.ref);
  }

  /** This turn's record: windows opened by the entries inserted now, plus those still in force. */
  record(inserted: PreparedEntry[]): LoreTimelineRecord {
    for (const entry of inserted) {
      const sticky = positive(entry.entry.sticky);
      const cooldown = positive(entry.entry.cooldown);
      if (sticky && !this.sticky.has(entry.ref)) this.sticky.set(entry.ref, this.window(entry, "sticky", sticky));
      if (cooldown && !this.cooldown.has(entry.ref)) this.cooldown.set(entry.ref, this.window(entry, "cooldown", cooldown));
      const remembers = entry.effects.keepActivateAfterMatch || entry.effects.dontActivateAfterMatch;
      if (remembers) this.matched.set(entry.ref, { bookId: entry.bookId, entryId: entry.entry.id });
    }
    return {
      messageIndex: this.messageIndex,
      activations: inserted.map((entry) => ({ bookId: entry.bookId, entryId: entry.entry.id })),
      effects: [...this.sticky.values(), ...this.cooldown.values()],
      matched: [...this.matched.values()],
    };
  }
}
