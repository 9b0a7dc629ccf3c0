import type { Outcome } from "../../api-error";
import type { TurnAction } from "../../chat/turn-plan";
import { cachedCharacterRow } from "../../db/character-cache";
import type { CharacterRow } from "../../db/schema";
import type { Env } from "../../env";
import { turnLore } from "../../lore/session-books";
import type { SessionMessageRequest } from "./chat-session";
import type { HistoryStore } from "./history-store";
import type { Ownership } from "./ownership";
import type { SessionGroup } from "./session-group";
import type { SessionLore } from "./session-lore";
import type { SessionMemory } from "./session-memory";
import type { TurnRequest } from "./turn-runner";

interface SessionParts {
  env: Env;
  ctx: DurableObjectState;
  store: HistoryStore;
  ownership: Ownership;
  memory: SessionMemory;
  lore: SessionLore;
  group: SessionGroup;
}

/**
 * Checks what can be checked before queueing: the session's owner, the end user, and who answers: in
 * a group (a message or `next`), its members, the one named checked against them (the speakers are
 * picked when the turn's time comes); otherwise the character (for a change to the tree, its message's;
 * the turn checks the message again when its time comes).
 */
export async function prepareTurn(parts: SessionParts, request: SessionMessageRequest): Promise<Outcome<TurnRequest>> {
  const { env, ctx, store, action } = { ...parts, action: request.action };
  if (action.kind === "message" && !store.getMeta("session_id")) store.setMeta("session_id", request.sessionId);
  const denied = parts.ownership.check(request.caller, { claim: false, allowNew: action.kind === "message" });
  if (denied) return denied;
  const userId = parts.memory.userFor(request.userId);
  if (!userId.ok) return userId;
  const { characterId: named, userId: _, ...rest } = request;
  const group = parts.group.get();
  const members = group ? await memberRows(env, ctx, group.members) : undefined;
  const participants = members?.map((member) => ({ id: member.id, name: member.name }));
  const loreFor = (character: CharacterRow) => turnLore(env, character, parts.lore.lorebookIds(), parts.lore.note(), ctx);
  if (group && members && (action.kind === "message" || action.kind === "speak")) {
    if (named && !group.members.includes(named))
      return { ok: false, code: "INVALID_REQUEST", message: `${named} is not a member of session ${request.sessionId}` };
    if (members.length === 0) return { ok: false, code: "NOT_FOUND", message: `None of session ${request.sessionId}'s members exists any more` };
    const turnGroup = { members, strategy: group.strategy, allowSelfResponses: group.allow_self_responses, named, loreFor };
    // The character is each speaker's, set when the speakers are picked.
    return { ok: true, value: { ...rest, character: members[0]!, userId: userId.value, group: turnGroup, participants } };
  }
  const characterId = speakerOf(parts, action, named);
  if (characterId === undefined)
    return { ok: false, code: "NOT_FOUND", message: `No message ${"messageId" in action ? action.messageId : ""} in this session` };
  // From this isolate's cache: no D1 read on a warm session's turn (edits elsewhere show within its bound).
  const character = await cachedCharacterRow(env, characterId, ctx);
  if (!character) return { ok: false, code: "NOT_FOUND", message: `No character ${characterId}` };
  return { ok: true, value: { ...rest, character, lore: await loreFor(character), userId: userId.value, participants } };
}

/** Who answers a turn outside a group's pick: the one named (or "assistant"), or the message's own character. */
function speakerOf(parts: SessionParts, action: TurnAction, named: string | undefined): string | undefined {
  if (action.kind === "message") return named ?? "assistant";
  // `next` in a one-character session: the one named, else the last to speak.
  if (action.kind === "speak") return named ?? parts.group.view().members.at(-1) ?? "assistant";
  return parts.store.row(action.messageId)?.character_id;
}

/** A group's member rows, in member order; members deleted since are left out. */
export async function memberRows(env: Env, ctx: DurableObjectState, ids: string[]): Promise<CharacterRow[]> {
  const rows = await Promise.all(ids.map((id) => cachedCharacterRow(env, id, ctx)));
  return rows.filter((row): row is CharacterRow => row !== undefined && row !== null);
}
