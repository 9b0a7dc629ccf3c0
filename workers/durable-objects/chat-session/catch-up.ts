import type { ResumeEntry, ServerFrame } from "../../../shared/schemas/realtime";
import { branchFrame, errorFrame, responseFrame, userMessageFrame } from "../../realtime/frames";
import { storedEditId } from "./branch-ops";
import type { HistoryStore } from "./history-store";
import type { TurnRunner } from "./turn-runner";

/**
 * What a client missed of one turn, as the frames it would have received: the rest of a reply
 * being generated (its `user_message` first when the client never saw the reply's id), or the stored
 * outcome of a finished one, with the `audio_chunk` frames its voice has sent. Empty when the turn is queued (its frames will come live); undefined
 * when the session has never heard of the client_message_id (the client must send the message).
 */
export function catchUpFrames(store: HistoryStore, turns: TurnRunner, sessionId: string, entry: ResumeEntry): ServerFrame[] | undefined {
  const clientId = entry.client_message_id;
  if (entry.message_id) {
    const replayed = turns.replay(entry.message_id, entry.last_seq);
    if (replayed) return [...replayed, ...turns.voiceSent(entry.message_id)];
    const reply = store.get(entry.message_id);
    if (reply?.role === "assistant") return [responseFrame(sessionId, reply, clientId), ...turns.voiceSent(reply.id)];
    return [errorFrame("NOT_FOUND", `No reply ${entry.message_id} in this session`, clientId ? { client_message_id: clientId } : {})];
  }
  if (!clientId) return [];
  const streaming = turns.streamingReplyFor(clientId);
  const made = store.byClientId(clientId);
  const user = made?.role === "user" ? made : undefined;
  if (streaming) {
    const replayed = turns.replay(streaming.replyId, entry.last_seq) ?? [];
    return [...(user ? [userMessageFrame(user, streaming.replyId, clientId)] : []), ...replayed, ...turns.voiceSent(streaming.replyId)];
  }
  // A regenerate or continue stores no user message: the reply carries the client's id.
  if (made?.role === "assistant") return [responseFrame(sessionId, made, clientId)];
  if (!made) {
    const edited = store.byClientId(storedEditId(clientId));
    if (edited) return [branchFrame(sessionId, { activeLeafId: store.leafId(), changedAtId: edited.id }, clientId)];
  }
  // Queued, not yet started: its frames will all come live.
  if (!user) return turns.isPending(clientId) ? [] : undefined;
  const reply = store.replyTo(user.id);
  if (reply) return [responseFrame(sessionId, reply, clientId)];
  if (turns.isPending(clientId)) return [];
  return [
    errorFrame("SERVICE_UNAVAILABLE", "This message was received earlier, but its reply failed", { user_message_id: user.id, client_message_id: clientId }),
  ];
}
