import type { GroupStrategy } from "../../../shared/schemas/sessions";
import { pickSpeakers, talkativenessOf } from "../../chat/group-speakers";
import type { TurnAction } from "../../chat/turn-plan";
import type { TurnLore } from "../../chat/turn";
import type { CharacterRow } from "../../db/schema";
import type { MessageTree } from "./message-tree";

/** A group session's turn (CHARACTER-ENGINE.md §5): who may answer, and each speaker's world info. */
export interface GroupTurn {
  members: CharacterRow[];
  strategy: GroupStrategy;
  allowSelfResponses: boolean;
  /** The member the client named (`character_id`): it answers alone. */
  named?: string;
  /** Makes a speaker's world info (its own books and the session's). */
  loreFor: (character: CharacterRow) => Promise<TurnLore | undefined>;
}

// Enough of the branch's end to see who spoke since the user's last message.
const LOOK_BACK = 32;

/**
 * The speakers of a group turn, picked against the branch as it is when the turn's time comes. The
 * draw's seed is the session, the place in it and the text answered: the same message in the same
 * place picks the same speakers.
 */
export function speakersOf(tree: MessageTree, sessionId: string, group: GroupTurn, action: TurnAction): string[] {
  const recent = tree.recentTexts(LOOK_BACK);
  const last = recent.at(-1);
  const sinceUser: string[] = [];
  for (const line of [...recent].reverse()) {
    if (line.role === "user") break;
    if (line.character_id) sinceUser.push(line.character_id);
  }
  const userInput = action.kind === "message";
  const text = userInput ? action.text : (last?.content ?? "");
  return pickSpeakers({
    members: group.members.map((member) => ({ id: member.id, name: member.name, talkativeness: talkativenessOf(member.extensions) })),
    strategy: group.strategy,
    allowSelfResponses: group.allowSelfResponses,
    text,
    userInput,
    named: group.named,
    lastSpeaker: last?.role === "assistant" ? last.character_id : undefined,
    spokenSinceUser: userInput ? [] : sinceUser,
    seed: `${sessionId}:${tree.count()}:${text}`,
  });
}
