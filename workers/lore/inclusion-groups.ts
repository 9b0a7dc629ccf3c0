/**
 * Inclusion groups, as SillyTavern resolves them among the entries that fired in one sweep: of the
 * members of a group, one goes in. A sticky member keeps its place and the others lose; a group that
 * already put an entry in the prompt (in an earlier sweep) takes no other; with group scoring only
 * the members with the most key matches stay in the draw; then a member with "prioritize inclusion"
 * (`groupOverride`) wins, the highest insertion order first, else one is drawn with chances
 * proportional to `groupWeight`. An entry may be in several groups (comma-separated); losing any
 * group takes it out.
 */
import type { PreparedEntry } from "./prepare";

export interface GroupCandidate {
  entry: PreparedEntry;
  sticky: boolean;
}

export interface GroupOptions {
  /** Groups that have an entry in the prompt already. */
  activatedGroups: Set<string>;
  rng: () => number;
  /** The engine-wide "Use Group Scoring"; an entry's own `useGroupScoring` overrides it. */
  useGroupScoring: boolean;
  /** An entry's key-match score in the current sweep. */
  score: (entry: PreparedEntry) => number;
}

export interface GroupLoss<T> {
  candidate: T;
  detail: string;
}

function drawByWeight<T extends GroupCandidate>(members: T[], rng: () => number): T {
  const weights = members.map((member) => Math.max(0, member.entry.entry.groupWeight));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return members[0]!;
  const roll = rng() * total;
  let reached = 0;
  for (let i = 0; i < members.length; i++) {
    reached += weights[i]!;
    if (roll < reached) return members[i]!;
  }
  return members[members.length - 1]!;
}

/** Splits the sweep's candidates into those kept and those that lost a group, with why. */
export function resolveInclusionGroups<T extends GroupCandidate>(candidates: T[], options: GroupOptions): { kept: T[]; lost: GroupLoss<T>[] } {
  const removed = new Map<T, string>();
  const groups = new Map<string, T[]>();
  for (const candidate of candidates) {
    for (const group of candidate.entry.groups) {
      const members = groups.get(group);
      if (members) members.push(candidate);
      else groups.set(group, [candidate]);
    }
  }
  const lose = (members: T[], keep: (member: T) => boolean, detail: string) => {
    for (const member of members) if (!keep(member) && !removed.has(member)) removed.set(member, detail);
  };

  for (const [group, all] of groups) {
    let members = all.filter((member) => !removed.has(member));
    if (members.length === 0) continue;
    if (members.some((member) => member.sticky)) {
      lose(members, (member) => member.sticky, `group "${group}" keeps its sticky entry`);
      continue;
    }
    if (options.activatedGroups.has(group)) {
      lose(members, () => false, `group "${group}" already has an entry in the prompt`);
      continue;
    }
    const scored = (member: T) => member.entry.entry.useGroupScoring ?? options.useGroupScoring;
    if (members.some(scored)) {
      const scores = new Map(members.map((member) => [member, options.score(member.entry)]));
      const best = Math.max(...scores.values());
      lose(members, (member) => !scored(member) || scores.get(member) === best, `group "${group}" has entries with more key matches`);
      members = members.filter((member) => !removed.has(member));
    }
    if (members.length <= 1) continue;
    const overrides = members.filter((member) => member.entry.entry.groupOverride);
    if (overrides.length > 0) {
      const winner = overrides.reduce((best, member) => (member.entry.entry.insertionOrder > best.entry.entry.insertionOrder ? member : best));
      lose(members, (member) => member === winner, `group "${group}" went to a prioritized entry`);
      continue;
    }
    const winner = drawByWeight(members, options.rng);
    lose(members, (member) => member === winner, `group "${group}" drew another entry`);
  }
  return {
    kept: candidates.filter((candidate) => !removed.has(candidate)),
    lost: [...removed].map(([candidate, detail]) => ({ candidate, detail })),
  };
}
