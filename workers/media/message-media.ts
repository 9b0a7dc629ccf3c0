import type { MessageMedia } from "../chat/turn";

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
