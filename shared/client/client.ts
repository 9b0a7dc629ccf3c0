import type { CharacterList, Character, CreateCharacterRequest, UpdateCharacterRequest } from "../schemas/characters";
import type { ChatContext, HistoryQuery, HistoryResponse, SendMessageResponse } from "../schemas/chat";
import type { ServerFrame } from "../schemas/realtime";
import type { z } from "zod";
import type { CreatedKey, KeyList, Scope } from "../schemas/keys";
import { ChatacterError } from "./errors.js";
import { call, send, type Transport } from "./http.js";
import { ChatSocket, type ChatSessionOptions } from "./session.js";
import { readEvents } from "./sse.js";

type Out<T extends z.ZodType> = z.output<T>;

export interface SendOptions {
  sessionId?: string | null;
  context?: ChatContext;
}

/** What `streamMessage` yields: the turn's frames, then the same body `sendMessage` answers. */
export type StreamEvent = Exclude<ServerFrame, { type: "response" | "error" }> | ({ type: "response" } & SendMessageResponse);

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

  constructor(baseUrl = "http://localhost:8000", apiKey: string | null = null, fetchImpl: typeof fetch = (...args) => fetch(...args)) {
    this.transport = { baseUrl: baseUrl.replace(/\/+$/, ""), apiKey, fetch: fetchImpl };
  }

  // ---- chat ----

  sendMessage(message: string, characterId = "assistant", sessionId: string | null = null, context?: ChatContext): Promise<SendMessageResponse> {
    return call(this.transport, "POST", "/api/v1/chat/message", { message, character_id: characterId, session_id: sessionId, ...(context ? { context } : {}) });
  }

  /** The reply as it is generated (Server-Sent Events); the last event is the full response. */
  async *streamMessage(
    message: string,
    { characterId = "assistant", sessionId = null, context }: SendOptions & { characterId?: string } = {},
  ): AsyncGenerator<StreamEvent> {
    const response = await send(
      this.transport,
      "POST",
      "/api/v1/chat/message",
      { message, character_id: characterId, session_id: sessionId, stream: true, ...(context ? { context } : {}) },
      { Accept: "text/event-stream" },
    );
    for await (const { event, data } of readEvents(response.body!)) {
      const parsed = JSON.parse(data);
      if (event === "error") {
        const e = parsed.error;
        throw new ChatacterError(e.code, e.message, response.status, e.request_id, e.details);
      }
      yield (event === "response" ? { type: "response", ...parsed } : parsed) as StreamEvent;
    }
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
