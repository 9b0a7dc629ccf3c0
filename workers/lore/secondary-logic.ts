/**
 * SillyTavern's selective logic: once a primary key has matched, the secondary keys ("optional
 * filter") decide. AND_ANY: one of them is present; AND_ALL: all are; NOT_ANY: none is; NOT_ALL: not
 * all are (at least one is missing). Only applies when the entry is selective and has secondary keys.
 */
import type { SelectiveLogic } from "./types";

export function secondaryLogicPasses(logic: SelectiveLogic, matches: boolean[]): boolean {
  const any = matches.some(Boolean);
  const all = matches.every(Boolean);
  switch (logic) {
    case "AND_ANY":
      return any;
    case "AND_ALL":
      return all;
    case "NOT_ANY":
      return !any;
    case "NOT_ALL":
      return !all;
  }
}

/**
 * An entry's score for inclusion-group scoring (SillyTavern's "Use Group Scoring"): one point per
 * primary key found; secondary keys add theirs under AND_ANY, and under AND_ALL only when all match.
 */
export function keyScore(logic: SelectiveLogic, primary: boolean[], secondary: boolean[]): number {
  const primaryScore = primary.filter(Boolean).length;
  const secondaryScore = secondary.filter(Boolean).length;
  if (primary.length === 0) return 0;
  if (secondary.length > 0 && logic === "AND_ANY") return primaryScore + secondaryScore;
  if (secondary.length > 0 && logic === "AND_ALL" && secondaryScore === secondary.length) return primaryScore + secondaryScore;
  return primaryScore;
}
