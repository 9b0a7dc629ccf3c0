import type { CharacterList, Character, CreateCharacterRequest, UpdateCharacterRequest } from "../schemas/characters";
import type { ChatContext, HistoryQuery, HistoryResponse, SendMessageResponse, TurnResponse } from "../schemas/chat";
import type { z } from "zod";
import type { CreatedKey, KeyList, Scope } from "../schemas/keys";
import {
  branchCalls,
  streamTurn,
  type BranchState,
  type DeletedMessage,
  type EditedMessage,
  type EditOptions,
  type EditStreamEvent,
  type ForkedSession,
  type GenerateOptions,
  type Siblings,
  type StreamEvent,
} from "./branches.js";
import { ChatacterError } from "./errors.js";
import { groupCalls, type GroupOptions, type GroupSession, type NextOptions } from "./groups.js";
import { BinaryBody, call, type Transport } from "./http.js";
import {
  Lorebooks,
  loreCalls,
  type ContextPreview,
  type ContextPreviewOptions,
  type SessionLorebooks,
  type SessionNote,
  type SessionNoteInput,
} from "./lorebooks.js";
import { Memories } from "./memories.js";
import { ChatSocket, type ChatSessionOptions } from "./session.js";

type Out<T extends z.ZodType> = z.output<T>;

export interface SendOptions {
  sessionId?: string | null;
  context?: ChatContext;
  /** The app's end user (`context.user_id`): the character remembers them across sessions (CHARACTER-ENGINE.md §3). */
  userId?: string;
}

/**
 * A turn's body: `userId` goes in as `context.user_id`. No `characterId`: none is sent, so "assistant"
 * answers (the API's default), or in a group session the speakers its strategy picks.
 */
function turnBody(message: string, { characterId, sessionId = null, context, userId }: SendOptions & { characterId?: string }) {
  const withUser = userId === undefined ? context : { ...context, user_id: userId };
  return { message, ...(characterId === undefined ? {} : { character_id: characterId }), session_id: sessionId, ...(withUser ? { context: withUser } : {}) };
}

export interface MediaJob {
  request_id: string;
  status: "queued" | "processing" | "completed" | "failed" | "canceled";
  progress?: number;
  media_type?: "voice" | "video";
  result?: Record<string, unknown>;
  error?: { code: string; message: string } | string;
  [field: string]: unknown;
}

/**
 * The Chattr API from TypeScript: the reference's `ChatacterClient` (sendMessage, getCharacters) and
 * every other endpoint, with streaming as an async iterator and a resumable WebSocket session.
 * Failures throw ChatacterError carrying the API's error code.
 *
 * @example
 * const client = new ChatacterClient("http://localhost:8000", apiKey);
 * const { response, session_id } = await client.sendMessage("Hello!");
 * for await (const event of client.streamMessage("Tell me more", { sessionId: session_id })) {
 *   if (event.type === "response_chunk") process.stdout.write(event.delta);
 * }
 */
export class ChatacterClient {
  private readonly transport: Transport;
  /** Lorebooks (world info): create, list, get, replace, remove, export. See Lorebooks. */
  readonly lorebooks: Lorebooks;
  /** Memory of end users: list, search, create, update, remove (CHARACTER-ENGINE.md §3). See Memories. */
  readonly memories: Memories;

  constructor(baseUrl = "http://localhost:8000", apiKey: string | null = null, fetchImpl: typeof fetch = (...args) => fetch(...args)) {
    this.transport = { baseUrl: baseUrl.replace(/\/+$/, ""), apiKey, fetch: fetchImpl };
    this.lorebooks = new Lorebooks(this.transport);
    this.memories = new Memories(this.transport);
  }

  // ---- chat ----

  /**
   * Sends a message and resolves with the reply: positionally as the reference SDK, or with options
   * (`userId` names the end user whose memory the character keeps). In a group session (`createGroup`),
   * leave `characterId` out for the speakers the strategy picks (naming a member makes it answer alone):
   * the answer is the first reply's body plus `replies` (all of them, in order) and `failed` (speakers
   * whose reply failed; the others still answered).
   *
   * @example
   * const reply = await client.sendMessage("My name is Sam.", { characterId: "seraphina", userId: "user-42" });
   * const turn = await client.sendMessage("Otto, what time is it?", { sessionId: group.session_id });
   * for (const r of turn.replies ?? [turn]) console.log(r.character_id, r.response);
   */
  sendMessage(message: string, options: SendOptions & { characterId?: string }): Promise<TurnResponse>;
  sendMessage(message: string, characterId?: string, sessionId?: string | null, context?: ChatContext): Promise<TurnResponse>;
  sendMessage(
    message: string,
    characterOrOptions: string | (SendOptions & { characterId?: string }) = "assistant",
    sessionId: string | null = null,
    context?: ChatContext,
  ): Promise<TurnResponse> {
    const options = typeof characterOrOptions === "string" ? { characterId: characterOrOptions, sessionId, context } : characterOrOptions;
    return call(this.transport, "POST", "/api/v1/chat/message", turnBody(message, options));
  }

  /**
   * The reply as it is generated (Server-Sent Events): `response_chunk`s, then `response` with the full
   * reply. A voiced reply also yields `audio_chunk` events as its speech is made, the first ones often
   * before `response`, and the stream stays open until its `media` event (the whole reply's audio). In a
   * group session, `user_message.speakers` says who will answer, and each speaker's events follow in
   * turn (every one with its `character_id`), a failed speaker's as an `error` event naming it.
   *
   * @example
   * const player = new AudioChunkPlayer({ baseUrl: "http://localhost:8000" }); // in a browser
   * for await (const event of client.streamMessage("Tell me a story", { characterId: "creative" })) {
   *   if (event.type === "audio_chunk") player.push(event);
   *   if (event.type === "response") console.log(event.response);
   * }
   */
  streamMessage(message: string, options: SendOptions & { characterId?: string } = {}): AsyncGenerator<StreamEvent> {
    return streamTurn(this.transport, "POST", "/api/v1/chat/message", { ...turnBody(message, options), stream: true });
  }

  getHistory(sessionId: string, query: Partial<HistoryQuery> = {}): Promise<HistoryResponse> {
    const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return call(this.transport, "GET", `/api/v1/chat/history/${encodeURIComponent(sessionId)}${params.size ? `?${params}` : ""}`);
  }

  clearHistory(sessionId: string): Promise<{ message: string; session_id: string; cleared_at: string }> {
    return call(this.transport, "DELETE", `/api/v1/chat/history/${encodeURIComponent(sessionId)}`);
  }

  /** A WebSocket session: `send` resolves with each reply; it reconnects and resumes by itself. */
  connect({ sessionId, ...options }: { sessionId?: string } & Partial<Omit<ChatSessionOptions, "url" | "token">> = {}): ChatSocket {
    const url = `${this.transport.baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat${sessionId ? `?session_id=${encodeURIComponent(sessionId)}` : ""}`;
    return new ChatSocket({ url, token: this.transport.apiKey ?? "", sessionId, ...options });
  }

  // ---- group sessions: several characters in one conversation (CHARACTER-ENGINE.md §5) ----

  /**
   * Makes a session with several characters (at most 8), owned by this key: a new one, or `sessionId`
   * if it is empty. Messages to it are answered by the speakers `strategy` picks (`natural` by default:
   * those the message names, then by talkativeness). An unknown character is NOT_FOUND, one named twice
   * INVALID_REQUEST, a session that has messages already CONFLICT (change its members instead).
   *
   * @example
   * const group = await client.createGroup(["iris", "otto", "wren"], { strategy: "natural" });
   * for (const m of group.members) console.log(m.name, m.avatar_url, m.talkativeness);
   * const turn = await client.sendMessage("Otto, is the clock still broken?", { sessionId: group.session_id });
   */
  createGroup(characterIds: string[], options?: GroupOptions): Promise<GroupSession> {
    return groupCalls.create(this.transport, characterIds, options);
  }

  /**
   * A session's members and strategy. A one-character session shows the characters that spoke in it,
   * strategy `manual`.
   *
   * @example
   * const { members, strategy } = await client.getSession(sessionId);
   */
  getSession(sessionId: string): Promise<GroupSession> {
    return groupCalls.get(this.transport, sessionId);
  }

  /**
   * Replaces a session's members (between turns); a one-character session becomes a group (`natural`).
   *
   * @example
   * const group = await client.members(sessionId, ["iris", "otto", "wren", "mabel"]);
   */
  members(sessionId: string, characterIds: string[]): Promise<GroupSession> {
    return groupCalls.members(this.transport, sessionId, characterIds);
  }

  /**
   * One character speaks with no user message (an app's auto mode): `characterId`, or the one the
   * strategy picks (in `natural`, not the last speaker unless the group allows self-responses).
   * Answers as `sendMessage` does.
   *
   * @example
   * const reply = await client.next(group.session_id);
   * console.log(`${reply.character_id}: ${reply.response}`);
   * await client.next(group.session_id, { characterId: "wren", media: false });
   */
  next(sessionId: string, options?: NextOptions): Promise<TurnResponse> {
    return groupCalls.next(this.transport, sessionId, options);
  }

  /**
   * `next` as Server-Sent Events: `typing`, `response_chunk`..., `response` (and a voiced reply's
   * `audio_chunk` and `media` events), as `streamMessage` yields them.
   *
   * @example
   * for await (const event of client.streamNext(group.session_id)) {
   *   if (event.type === "response_chunk") process.stdout.write(event.delta);
   * }
   */
  streamNext(sessionId: string, options?: NextOptions): AsyncGenerator<StreamEvent> {
    return groupCalls.streamNext(this.transport, sessionId, options);
  }

  // ---- the conversation tree: swipes, edits, branches (CHARACTER-ENGINE.md §1) ----
  //
  // A message is named with its session. Each call that generates a reply has a streaming twin
  // (`streamRegenerate`, `streamEdit`, `streamContinue`) yielding the same events as `streamMessage`.

  /**
   * Swipe: a new reply in place of `messageId` (a reply on the active branch, at any depth), generated
   * from the history above it. It becomes active; the old reply and what followed it stay reachable.
   *
   * @example
   * const swipe = await client.regenerate(sessionId, reply.message_id);
   * console.log(`${swipe.sibling_index + 1}/${swipe.sibling_count}`, swipe.response); // "2/2 ..."
   * await client.select(sessionId, reply.message_id); // back to the first one
   */
  regenerate(sessionId: string, messageId: string, options?: GenerateOptions): Promise<SendMessageResponse> {
    return branchCalls.regenerate(this.transport, sessionId, messageId, options);
  }

  /**
   * `regenerate` as Server-Sent Events: `typing`, `response_chunk`..., `response`, then a `branch` event.
   *
   * @example
   * for await (const event of client.streamRegenerate(sessionId, replyId)) {
   *   if (event.type === "response_chunk") process.stdout.write(event.delta);
   *   if (event.type === "branch") console.log("\nactive leaf:", event.active_leaf_id);
   * }
   */
  streamRegenerate(sessionId: string, messageId: string, options?: GenerateOptions): AsyncGenerator<StreamEvent> {
    return branchCalls.streamRegenerate(this.transport, sessionId, messageId, options);
  }

  /**
   * Edits a message without overwriting it: the new text becomes a sibling on the active branch. An
   * edited user message is answered (chat/message's body, the new user message in `user_message_id`)
   * unless `regenerate: false`; an edited reply is only stored (`{session_id, active_leaf_id,
   * total_count, message}`). `isStoredEdit` tells the two apart.
   *
   * @example
   * const result = await client.edit(sessionId, userMessageId, "What I meant to say");
   * if (isStoredEdit(result)) console.log("stored as", result.message.id);
   * else console.log("answered:", result.response);
   * const fixed = await client.edit(sessionId, userMessageId, "Typo fixed", { regenerate: false }); // EditedMessage
   */
  edit(sessionId: string, messageId: string, content: string, options: EditOptions & { regenerate: false }): Promise<EditedMessage>;
  edit(sessionId: string, messageId: string, content: string, options?: EditOptions): Promise<SendMessageResponse | EditedMessage>;
  edit(sessionId: string, messageId: string, content: string, options?: EditOptions): Promise<SendMessageResponse | EditedMessage> {
    return branchCalls.edit(this.transport, sessionId, messageId, content, options);
  }

  /**
   * `edit` as Server-Sent Events: for an answered edit `user_message`, `branch`, `typing`,
   * `response_chunk`..., `response`; for an edit that is only stored, one `stored` event.
   *
   * @example
   * for await (const event of client.streamEdit(sessionId, userMessageId, "Try this instead")) {
   *   if (event.type === "response_chunk") process.stdout.write(event.delta);
   *   if (event.type === "stored") console.log("stored, no reply:", event.message.id);
   * }
   */
  streamEdit(sessionId: string, messageId: string, content: string, options?: EditOptions): AsyncGenerator<EditStreamEvent> {
    return branchCalls.streamEdit(this.transport, sessionId, messageId, content, options);
  }

  /**
   * The active branch's last reply goes on where it stopped: a new sibling holds its text plus the
   * continuation, and becomes active.
   *
   * @example
   * const longer = await client.continue(sessionId, reply.message_id);
   * console.log(longer.response.startsWith(reply.response)); // true
   */
  continue(sessionId: string, messageId: string, options?: GenerateOptions): Promise<SendMessageResponse> {
    return branchCalls.continue(this.transport, sessionId, messageId, options);
  }

  /**
   * `continue` as Server-Sent Events; the first `response_chunk` is the old text, so the chunks add up
   * to the new message. Ends with a `branch` event.
   *
   * @example
   * let text = "";
   * for await (const event of client.streamContinue(sessionId, replyId)) if (event.type === "response_chunk") text += event.delta;
   */
  streamContinue(sessionId: string, messageId: string, options?: GenerateOptions): AsyncGenerator<StreamEvent> {
    return branchCalls.streamContinue(this.transport, sessionId, messageId, options);
  }

  /**
   * Makes a message active (swipes to it, or goes back to it); below it the branch follows each
   * message's last selected child, so the conversation comes back as it was last seen there.
   *
   * @example
   * const { siblings, active_index } = await client.siblings(sessionId, replyId);
   * const { active_leaf_id, total_count } = await client.select(sessionId, siblings[active_index - 1]!.id);
   */
  select(sessionId: string, messageId: string): Promise<BranchState> {
    return branchCalls.select(this.transport, sessionId, messageId);
  }

  /**
   * The messages sharing `messageId`'s parent (itself included), in creation order, and the index of
   * the one the active branch goes through.
   *
   * @example
   * const { siblings, active_index } = await client.siblings(sessionId, replyId);
   * console.log(`swipe ${active_index + 1} of ${siblings.length}`);
   */
  siblings(sessionId: string, messageId: string): Promise<Siblings> {
    return branchCalls.siblings(this.transport, sessionId, messageId);
  }

  /**
   * Deletes a message and everything below it. On the active branch, its nearest remaining sibling
   * takes its place, else the branch ends at its parent.
   *
   * @example
   * const { active_leaf_id, deleted_count } = await client.remove(sessionId, swipeId);
   */
  remove(sessionId: string, messageId: string): Promise<DeletedMessage> {
    return branchCalls.remove(this.transport, sessionId, messageId);
  }

  /**
   * A new session, owned by this key, holding copies of the path from the root to `messageId`.
   *
   * @example
   * const fork = await client.fork(sessionId, replyId);
   * await client.sendMessage("Meanwhile, elsewhere…", "assistant", fork.session_id);
   */
  fork(sessionId: string, messageId: string): Promise<ForkedSession> {
    return branchCalls.fork(this.transport, sessionId, messageId);
  }

  // ---- world info and prompt assembly (CHARACTER-ENGINE.md §2) ----

  /**
   * The exact prompt the next turn would send for `message`, without calling the LLM or storing anything
   * (the session may not exist yet): its messages, its tokens by section against the budget, and the
   * world-info entries that fired.
   *
   * @example
   * const preview = await client.contextPreview(sessionId, { characterId: "seraphina", message: "Is that a moonstone?" });
   * for (const entry of preview.lore) console.log(entry.name, "fired on", entry.matched_key ?? "(constant)");
   * console.log(`${preview.tokens.total}/${preview.tokens.budget} tokens, lore ${preview.tokens.sections.lore}`);
   */
  contextPreview(sessionId: string, options: ContextPreviewOptions): Promise<ContextPreview> {
    return loreCalls.contextPreview(this.transport, sessionId, options);
  }

  /**
   * The lorebooks attached to a session, beside its character's.
   *
   * @example
   * const { lorebook_ids } = await client.sessionLorebooks(sessionId);
   */
  sessionLorebooks(sessionId: string): Promise<SessionLorebooks> {
    return loreCalls.sessionLorebooks(this.transport, sessionId);
  }

  /**
   * Attaches lorebooks to a session (the list replaces the previous one; `[]` detaches all). A session
   * nobody owns yet becomes this key's.
   *
   * @example
   * await client.setSessionLorebooks(sessionId, [campaignBookId]);
   */
  setSessionLorebooks(sessionId: string, lorebookIds: string[]): Promise<SessionLorebooks> {
    return loreCalls.setSessionLorebooks(this.transport, sessionId, lorebookIds);
  }

  /**
   * A session's author's note (`content` is "" when there is none).
   *
   * @example
   * const { content, depth, role } = await client.sessionNote(sessionId);
   */
  sessionNote(sessionId: string): Promise<SessionNote> {
    return loreCalls.sessionNote(this.transport, sessionId);
  }

  /**
   * Sets a session's author's note: inserted `depth` messages from the end of the history (default 4), as
   * `role` (default "system"). Empty `content` removes it.
   *
   * @example
   * await client.setSessionNote(sessionId, { content: "Keep replies under three sentences.", depth: 1 });
   */
  setSessionNote(sessionId: string, note: SessionNoteInput): Promise<SessionNote> {
    return loreCalls.setSessionNote(this.transport, sessionId, note);
  }

  // ---- characters ----

  getCharacters(): Promise<Out<typeof CharacterList>> {
    return call(this.transport, "GET", "/api/v1/characters");
  }

  getCharacter(characterId: string): Promise<Character> {
    return call(this.transport, "GET", `/api/v1/characters/${encodeURIComponent(characterId)}`);
  }

  createCharacter(character: Partial<CreateCharacterRequest> & Pick<CreateCharacterRequest, "id" | "name">): Promise<Character> {
    return call(this.transport, "POST", "/api/v1/characters", character);
  }

  updateCharacter(characterId: string, changes: UpdateCharacterRequest): Promise<Character> {
    return call(this.transport, "PUT", `/api/v1/characters/${encodeURIComponent(characterId)}`, changes);
  }

  /**
   * Gives a character a voice cloned from a sample (admin): a WAV, MP3, M4A or OGG file of 5 s to 5 min, at
   * most 10 MiB. `contentType` names its format (a Blob's own type is used when it has one). Answers the
   * character, its `voice_model` now `clone:<the sample's URL>`; a sample out of bounds is INVALID_REQUEST.
   *
   * @example
   * const sample = new Blob([await readFile("narrator.wav")], { type: "audio/wav" });
   * const narrator = await client.setCharacterVoice("narrator", sample);
   */
  async setCharacterVoice(characterId: string, sample: Blob | ArrayBuffer | Uint8Array<ArrayBuffer>, contentType?: string): Promise<Character> {
    const type = contentType ?? (sample instanceof Blob && sample.type ? sample.type : undefined);
    if (!type) throw new ChatacterError("INVALID_REQUEST", "setCharacterVoice needs the sample's Content-Type (audio/wav, audio/mpeg, audio/mp4 or audio/ogg)");
    return call(this.transport, "PUT", `/api/v1/characters/${encodeURIComponent(characterId)}/voice`, new BinaryBody(sample, type));
  }

  deleteCharacter(characterId: string): Promise<{ message: string; character_id: string; deleted_at: string }> {
    return call(this.transport, "DELETE", `/api/v1/characters/${encodeURIComponent(characterId)}`);
  }

  // ---- API keys (admin) ----

  createKey(name: string, scopes: Scope[] = ["chat"]): Promise<Out<typeof CreatedKey>> {
    return call(this.transport, "POST", "/api/v1/keys", { name, scopes });
  }

  listKeys(): Promise<Out<typeof KeyList>> {
    return call(this.transport, "GET", "/api/v1/keys");
  }

  revokeKey(keyId: string): Promise<{ id: string; revoked_at: string }> {
    return call(this.transport, "DELETE", `/api/v1/keys/${encodeURIComponent(keyId)}`);
  }

  // ---- media ----

  /** Starts a voice job (202 with request_id); `waitSeconds` asks the server to wait for the result. */
  generateVoice(
    body: { text: string; character_id?: string; voice_settings?: Record<string, unknown> },
    waitSeconds?: number,
  ): Promise<MediaJob & Record<string, unknown>> {
    return call(this.transport, "POST", "/api/v1/media/voice", body, waitSeconds ? { Prefer: `wait=${waitSeconds}` } : {});
  }

  generateVideo(
    body: { text: string; character_id?: string; video_settings?: Record<string, unknown> },
    waitSeconds?: number,
  ): Promise<MediaJob & Record<string, unknown>> {
    return call(this.transport, "POST", "/api/v1/media/video", body, waitSeconds ? { Prefer: `wait=${waitSeconds}` } : {});
  }

  getMediaStatus(requestId: string): Promise<MediaJob> {
    return call(this.transport, "GET", `/api/v1/media/status/${encodeURIComponent(requestId)}`);
  }

  /** Polls a media job until it ends; `onProgress` sees each status. Rejects if it fails or times out. */
  async waitForMedia(
    requestId: string,
    { timeoutMs = 120_000, intervalMs = 500, onProgress }: { timeoutMs?: number; intervalMs?: number; onProgress?: (job: MediaJob) => void } = {},
  ): Promise<MediaJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.getMediaStatus(requestId);
      onProgress?.(job);
      if (job.status === "completed") return job;
      if (job.status === "failed" || job.status === "canceled") {
        const error = typeof job.error === "string" ? { code: "SERVICE_UNAVAILABLE", message: job.error } : job.error;
        throw new ChatacterError((error?.code as ChatacterError["code"]) ?? "SERVICE_UNAVAILABLE", error?.message ?? `Media job ${job.status}`);
      }
      if (Date.now() > deadline) throw new ChatacterError("SERVICE_UNAVAILABLE", `Media job ${requestId} still ${job.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  // ---- operations ----

  health(): Promise<Record<string, unknown>> {
    return call(this.transport, "GET", "/api/v1/health");
  }

  metrics(): Promise<Record<string, unknown>> {
    return call(this.transport, "GET", "/api/v1/metrics");
  }
}
