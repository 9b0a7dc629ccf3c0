export { ChatacterClient, type MediaJob, type SendOptions, type StreamEvent } from "./client.js";
export { ChatacterError } from "./errors.js";
export { ChatSocket, type ChatSessionOptions } from "./session.js";
export type { ResponseChunkFrame, ResponseFrame, ServerFrame } from "../schemas/realtime";
export type { SendMessageResponse, HistoryResponse, HistoryMessage } from "../schemas/chat";
export type { Character } from "../schemas/characters";
