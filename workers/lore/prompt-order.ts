/**
 * The order inserted entries take in the prompt: by position (before the character's definitions,
 * after them, around the example messages, around the author's note, then in the history), at-depth
 * entries deepest first (they sit higher in the history), and within one place by insertion order,
 * lowest first, so the highest order is closest to the end, as SillyTavern places them.
 */
import type { LorePosition } from "./types";

const POSITION_RANK: Record<LorePosition, number> = {
  before_char: 0,
  after_char: 1,
  em_top: 2,
  em_bottom: 3,
  an_top: 4,
  an_bottom: 5,
  at_depth: 6,
};

export interface Placed {
  position: LorePosition;
  depth: number;
  insertionOrder: number;
  /** Book order, then entry order: the tie-break. */
  seq: number;
}

export function promptOrder(a: Placed, b: Placed): number {
  return (
    POSITION_RANK[a.position] - POSITION_RANK[b.position] ||
    (a.position === "at_depth" ? b.depth - a.depth : 0) ||
    a.insertionOrder - b.insertionOrder ||
    a.seq - b.seq
  );
}
