/** Job rows as the reference's bodies, typed by their schemas in shared/schemas/media.ts. */
import type { MediaAccepted, MediaError, MediaResult, MediaStatus, VideoResult, VoiceResult } from "../../shared/schemas/media";
import { publicStatus } from "../../gpu-jobs/job-machine";
import type { MediaRequestRow } from "../db/schema";
import { assetPath, resultKey, thumbnailKey } from "./assets";

const thumbnail = (row: MediaRequestRow) => (row.hasThumbnail ? assetPath(thumbnailKey(row.assetName)) : null);

export function voiceResult(row: MediaRequestRow): VoiceResult {
  return {
    request_id: row.id,
    audio_url: assetPath(resultKey(row)),
    duration_seconds: row.durationSeconds ?? 0,
    file_size_bytes: row.fileSizeBytes ?? 0,
    format: "wav",
    generated_at: row.completedAt ?? row.createdAt,
  };
}

export function videoResult(row: MediaRequestRow): VideoResult {
  return {
    request_id: row.id,
    video_url: assetPath(resultKey(row)),
    thumbnail_url: thumbnail(row),
    duration_seconds: row.durationSeconds ?? 0,
    resolution: row.resolution ?? "",
    file_size_bytes: row.fileSizeBytes ?? 0,
    generated_at: row.completedAt ?? row.createdAt,
  };
}

function mediaResult(row: MediaRequestRow): MediaResult {
  if (row.mediaType === "voice") {
    return {
      audio_url: assetPath(resultKey(row)),
      duration_seconds: row.durationSeconds ?? 0,
      file_size_bytes: row.fileSizeBytes ?? 0,
      format: row.format ?? "wav",
    };
  }
  return {
    video_url: assetPath(resultKey(row)),
    thumbnail_url: thumbnail(row),
    duration_seconds: row.durationSeconds ?? 0,
    file_size_bytes: row.fileSizeBytes ?? 0,
    format: row.format ?? "mp4",
    resolution: row.resolution ?? "",
  };
}

function mediaError(row: MediaRequestRow): MediaError | undefined {
  if (row.status === "failed") return { code: row.errorCode ?? "SERVICE_UNAVAILABLE", message: row.errorMessage ?? "The job failed" };
  // A job we canceled ourselves (its session's history was cleared) says why.
  if (row.status === "canceled" && row.errorMessage) return { code: row.errorCode ?? "CANCELED", message: row.errorMessage };
  return undefined;
}

export function statusBody(row: MediaRequestRow): MediaStatus {
  const error = mediaError(row);
  return {
    request_id: row.id,
    status: publicStatus(row.status),
    progress: row.progress,
    media_type: row.mediaType,
    ...(row.status === "completed" ? { result: mediaResult(row) } : {}),
    ...(error ? { error } : {}),
    created_at: row.createdAt,
    completed_at: row.completedAt,
  };
}

export const acceptedBody = (row: MediaRequestRow): MediaAccepted => ({
  request_id: row.id,
  status: publicStatus(row.status),
  media_type: row.mediaType,
  status_url: `/api/v1/media/status/${row.id}`,
});
