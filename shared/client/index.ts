export { ChatacterClient, type MediaJob, type SendOptions } from "./client.js";
export { AudioChunkPlayer, type AudioChunkPlayerOptions, type PlayedChunk, type SkippedChunk } from "./audio-chunks.js";
export {
  isStoredEdit,
  type BranchState,
  type DeletedMessage,
  type EditedMessage,
  type EditOptions,
  type EditStreamEvent,
  type ForkedSession,
  type GenerateOptions,
  type Siblings,
  type SpeakerErrorEvent,
  type StreamEvent,
} from "./branches.js";
export { ChatacterError } from "./errors.js";
export type { GroupOptions, GroupSession, GroupStrategy, NextOptions, SessionMember, SpeakerFailure, TurnResponse } from "./groups.js";
export type { SpeakerErrorFrame, TurnResponseFrame } from "./group-turn.js";
export type {
  ContextPreview,
  ContextPreviewOptions,
  DeletedLorebook,
  FiredLoreEntry,
  LoreEntry,
  Lorebook,
  LorebookCreated,
  LorebookDocument,
  LorebookExportFormat,
  LorebookList,
  LorebookSource,
  LorebookSummary,
  Lorebooks,
  PromptSection,
  SessionLorebooks,
  SessionNote,
  SessionNoteInput,
} from "./lorebooks.js";
export type {
  DeletedMemory,
  ListedMemory,
  Memories,
  Memory,
  MemoryChanges,
  MemoryKind,
  MemoryList,
  MemoryListOptions,
  MemoryScope,
  MemorySearchOptions,
  NewMemory,
  ScoredMemory,
  UsedMemory,
} from "./memories.js";
export { ChatSocket, type ChatSessionOptions, type MediaOption, type SocketEditOptions, type SocketGenerateOptions } from "./session.js";
export type { AudioChunkFrame, BranchFrame, ResponseChunkFrame, ResponseFrame, ServerFrame } from "../schemas/realtime";
export type { SendMessageResponse, HistoryResponse, HistoryMessage } from "../schemas/chat";
export type { Character } from "../schemas/characters";
