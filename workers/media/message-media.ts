/** A chat message's media: what a finished job puts on it, and how its parts add up. */
import type { AudioChunkFrame } from "../../shared/schemas/realtime";
import type { MessageMedia } from "../chat/turn";
import type { MediaRequestRow } from "../db/schema";
import { assetPath, resultKey, thumbnailKey } from "./assets";

const TERMINAL = new Set(["ready", "completed", "failed", "canceled"]);

/**
 * Merges a job's news into a message's media and keeps the overall `status` true to the parts:
 * "pending" while a requested kind (one with a request id) has no terminal status, then "ready" when
 * every requested kind is ready, else "failed".
 */
export function mergeMessageMedia(existing: MessageMedia | undefined, update: MessageMedia): MessageMedia {
  const merged: MessageMedia = { ...existing, ...update };
  const kinds = (["audio", "video"] as const).filter((kind) => merged[`${kind}_request_id`] !== undefined);
  if (kinds.length === 0 || merged.status === undefined) return merged;
  const states = kinds.map((kind) => String(merged[`${kind}_status`] ?? "pending"));
  merged.status = states.some((s) => !TERMINAL.has(s)) ? "pending" : states.every((s) => s === "ready" || s === "completed") ? "ready" : "failed";
  return merged;
}

/** What a finished job puts on its chat message (values are plain, as the Durable Object stores them). */
export function messageMediaOf(row: MediaRequestRow): Record<string, string | number | boolean | null> {
  const prefix = row.mediaType === "voice" ? "audio" : "video";
  if (row.status !== "completed") {
    return { [`${prefix}_status`]: row.status, [`${prefix}_error`]: row.errorMessage ?? null, [`${prefix}_request_id`]: row.id };
  }
  return {
    [`${prefix}_url`]: assetPath(resultKey(row)),
    [`${prefix}_status`]: "ready",
    [`${prefix}_duration_seconds`]: row.durationSeconds,
    [`${prefix}_request_id`]: row.id,
    ...(row.mediaType === "video" ? { thumbnail_url: row.hasThumbnail ? assetPath(thumbnailKey(row.assetName)) : null } : {}),
  };
}

/** A reply chunk's ended speech job as its frame: the audio, or why there is none. */
export function audioChunkOf(row: MediaRequestRow): AudioChunkFrame {
  const done = row.status === "completed";
  return {
    type: "audio_chunk",
    message_id: row.messageId!,
    character_id: row.characterId,
    seq: Number(row.settings.seq),
    text: row.text,
    audio_url: done ? assetPath(resultKey(row)) : null,
    duration_seconds: done ? row.durationSeconds : null,
    ...(done ? {} : { error: row.errorMessage ?? (row.status === "canceled" ? "The speech was canceled" : "The speech could not be generated") }),
  };
}
