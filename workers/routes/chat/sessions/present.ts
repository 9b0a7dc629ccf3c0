import type { GroupSession } from "../../../../shared/schemas/sessions";
import { ApiError } from "../../../api-error";
import { talkativenessOf } from "../../../chat/group-speakers";
import { cachedCharacterRow } from "../../../db/character-cache";
import type { CharacterRow } from "../../../db/schema";
import type { Env, WaitUntil } from "../../../env";
import type { GroupSettings } from "../../../durable-objects/chat-session/session-group";

/** The members' rows, in order; an id that names no character is 404, before anything changes. */
export async function memberRows(env: Env, ctx: WaitUntil, ids: string[]): Promise<CharacterRow[]> {
  const rows = await Promise.all(ids.map((id) => cachedCharacterRow(env, id, ctx)));
  const missing = ids.filter((_, i) => !rows[i]);
  if (missing.length) throw new ApiError("NOT_FOUND", `No character ${missing.join(", ")}`);
  return rows as CharacterRow[];
}

/** A session's group as the API shows it: each member with its name, face and talkativeness. */
export async function groupBody(env: Env, ctx: WaitUntil, sessionId: string, settings: GroupSettings): Promise<GroupSession> {
  const rows = await Promise.all(settings.members.map((id) => cachedCharacterRow(env, id, ctx)));
  return {
    session_id: sessionId,
    group: settings.group,
    members: settings.members.map((id, i) => ({
      character_id: id,
      // A member deleted since is still listed (its lines are in the history), without its details.
      name: rows[i]?.name ?? id,
      avatar_url: rows[i]?.avatarUrl ?? null,
      talkativeness: talkativenessOf(rows[i]?.extensions ?? {}),
    })),
    strategy: settings.strategy,
    allow_self_responses: settings.allow_self_responses,
  };
}
