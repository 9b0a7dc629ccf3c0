/**
 * Who answers in a group session (CHARACTER-ENGINE.md §5), as SillyTavern's group chats decide it:
 * - `natural`: the members the text names (whole words of their names, in the order the text names
 *   them), then each member by talkativeness in a shuffled draw, and at least one; when the text is
 *   not the user's (a `next`), the last speaker is left out unless self-responses are allowed.
 * - `list`: every member, in order (for a `next`, starting after the last speaker: the members take turns).
 * - `pooled`: one member that has not spoken since the user did; if all have, any but the last speaker.
 * - `manual`: only the member the client names.
 * A member named by the client (`character_id`) answers alone, whatever the strategy. Every draw comes
 * from a seeded generator, so the same message in the same place picks the same speakers.
 */
import type { GroupStrategy } from "../../shared/schemas/sessions";
import { seededRng } from "../lore/rng";

/** SillyTavern's talkativeness when a card does not set it. */
const DEFAULT_TALKATIVENESS = 0.5;

export interface GroupMember {
  id: string;
  name: string;
  /** 0 to 1: the chance to speak unprompted in `natural` (the card's `extensions.talkativeness`). */
  talkativeness: number;
}

export interface SpeakerDraw {
  members: GroupMember[];
  strategy: GroupStrategy;
  allowSelfResponses: boolean;
  /** What the speakers answer: the user's message, or (for `next`) the last message's text. */
  text: string;
  /** Whether `text` is the user's: if not, `natural` keeps the last speaker from answering itself. */
  userInput: boolean;
  /** The member the client named (`character_id`). */
  named?: string;
  /** The character of the last message, when a character wrote it. */
  lastSpeaker?: string;
  /** The characters who have spoken since the user's last message, newest first. */
  spokenSinceUser: string[];
  seed: string;
}

/** The speakers, in the order they answer (no one twice); empty only for `manual` with no one named. */
export function pickSpeakers(draw: SpeakerDraw): string[] {
  if (draw.named) return [draw.named];
  const random = seededRng(draw.seed);
  switch (draw.strategy) {
    case "list":
      return inTurn(draw);
    case "pooled":
      return pooled(draw, random);
    case "manual":
      return [];
    default:
      return natural(draw, random);
  }
}

function natural(draw: SpeakerDraw, random: () => number): string[] {
  const { members } = draw;
  const banned = !draw.userInput && !draw.allowSelfResponses ? draw.lastSpeaker : undefined;
  const eligible = members.filter((member) => member.id !== banned);
  const picked: string[] = [];
  for (const word of wordsOf(draw.text)) {
    const named = eligible.find((member) => wordsOf(member.name).includes(word));
    if (named) picked.push(named.id);
  }
  for (const member of shuffled(eligible, random)) if (member.talkativeness >= random()) picked.push(member.id);
  if (picked.length === 0 && eligible.length > 0) picked.push(eligible[Math.floor(random() * eligible.length)]!.id);
  return [...new Set(picked)];
}

/** Every member in order; when the text is not the user's (a `next`), from the one after the last speaker. */
function inTurn(draw: SpeakerDraw): string[] {
  const ids = draw.members.map((member) => member.id);
  const last = draw.userInput || !draw.lastSpeaker ? -1 : ids.indexOf(draw.lastSpeaker);
  return [...ids.slice(last + 1), ...ids.slice(0, last + 1)];
}

function pooled(draw: SpeakerDraw, random: () => number): string[] {
  const spoken = new Set(draw.spokenSinceUser);
  const waiting = draw.members.filter((member) => !spoken.has(member.id));
  const pool = waiting.length ? waiting : draw.members.filter((member) => draw.members.length === 1 || member.id !== draw.lastSpeaker);
  return pool.length ? [pool[Math.floor(random() * pool.length)]!.id] : [];
}

/** Lower-case words (letters and digits of any script): "Dr. Watson's" names "dr", "watson", "s". */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Fisher-Yates with the seeded generator. */
function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A member's talkativeness from its card's extensions, clamped to 0-1. */
export function talkativenessOf(extensions: Record<string, unknown>): number {
  const value = Number(extensions.talkativeness ?? DEFAULT_TALKATIVENESS);
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : DEFAULT_TALKATIVENESS;
}
