import { api, fullHistory } from "./api";

/** The conversation tree's routes, as a client calls them (admin key unless told otherwise). */
export const regenerate = (sessionId: string, messageId: string, extra: Record<string, unknown> = {}, key?: string) =>
  api("POST", `/api/v1/chat/messages/${messageId}/regenerate`, { body: { session_id: sessionId, ...extra }, key });

export const edit = (sessionId: string, messageId: string, content: string, extra: Record<string, unknown> = {}, key?: string) =>
  api("PATCH", `/api/v1/chat/messages/${messageId}`, { body: { session_id: sessionId, content, ...extra }, key });

export const continueReply = (sessionId: string, messageId: string, extra: Record<string, unknown> = {}, key?: string) =>
  api("POST", `/api/v1/chat/messages/${messageId}/continue`, { body: { session_id: sessionId, ...extra }, key });

export const select = (sessionId: string, messageId: string, key?: string) =>
  api("POST", `/api/v1/chat/messages/${messageId}/select`, { body: { session_id: sessionId }, key });

export const siblings = (sessionId: string, messageId: string, key?: string) =>
  api("GET", `/api/v1/chat/messages/${messageId}/siblings?session_id=${sessionId}`, { key });

export const remove = (sessionId: string, messageId: string, key?: string) =>
  api("DELETE", `/api/v1/chat/messages/${messageId}?session_id=${sessionId}`, { key });

export const fork = (sessionId: string, messageId: string, key?: string) =>
  api("POST", `/api/v1/chat/sessions/${sessionId}/fork`, { body: { message_id: messageId }, key });

/** The active branch as [id, role, content] rows. */
export async function activeBranch(sessionId: string, key?: string) {
  return (await fullHistory(sessionId, key)).map((m) => ({
    id: m.id as string,
    role: m.role as string,
    content: m.content as string,
    place: `${m.sibling_index + 1}/${m.sibling_count}`,
  }));
}
