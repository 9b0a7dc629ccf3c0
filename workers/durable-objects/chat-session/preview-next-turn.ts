import type { ContextPreview } from "../../../shared/schemas/lorebooks";
import type { Outcome } from "../../api-error";
import { previewOf } from "../../chat/context-preview";
import { countMessageTokens } from "../../chat/tokens";
import { assembleTurnPrompt, toTurnCharacter } from "../../chat/turn";
import { config } from "../../config";
import { cachedCharacterRow } from "../../db/character-cache";
import type { Env } from "../../env";
import { turnLore } from "../../lore/session-books";
import type { MessageTree } from "./message-tree";
import type { SessionLore } from "./session-lore";
import type { SessionMemory } from "./session-memory";

interface PreviewParts {
  env: Env;
  ctx: DurableObjectState;
  tree: MessageTree;
  lore: SessionLore;
  memory: SessionMemory;
  /** The session's owner (or the caller, for a session nobody owns yet): whose memory is recalled. */
  ownerKey: string;
}

/** The prompt the next turn would send, built as the turn builds it (lore, memory); no LLM is asked, nothing is stored. */
export async function previewNextTurn(
  parts: PreviewParts,
  request: { sessionId: string; characterId: string; message: string; userName?: string; userId?: string; participants?: { id: string; name: string }[] },
): Promise<Outcome<ContextPreview>> {
  const { env, ctx } = parts;
  const userId = parts.memory.userFor(request.userId);
  if (!userId.ok) return userId;
  const character = await cachedCharacterRow(env, request.characterId, ctx);
  if (!character) return { ok: false, code: "NOT_FOUND", message: `No character ${request.characterId}` };
  const lore = await turnLore(env, character, parts.lore.lorebookIds(), parts.lore.note(), ctx);
  const scope = parts.memory.scope(parts.ownerKey, character.id, userId.value, request.sessionId);
  const memory = config(env).memoryEnabled ? await parts.memory.recall(scope, request.sessionId, request.message) : undefined;
  const assembled = assembleTurnPrompt(
    { store: parts.tree, contextTokens: config(env).llm.contextTokens, countMessageTokens },
    // Probability rolls use a preview seed: the turn itself rolls with its reply's id.
    {
      character: toTurnCharacter(character),
      action: { kind: "message", text: request.message },
      userName: request.userName,
      includeHistory: true,
      replyId: "preview",
      lore,
      memory,
      group: request.participants ? { members: request.participants } : undefined,
    },
  );
  if (!assembled.ok) return assembled;
  return { ok: true, value: previewOf(assembled.value) };
}
