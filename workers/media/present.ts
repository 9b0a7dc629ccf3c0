/** Job rows as the reference's bodies. */
import { publicStatus } from "../../gpu-jobs/job-machine";
import type { MediaRequestRow } from "../db/schema";
import { assetPath, resultKey, thumbnailKey } from "./assets";

const thumbnail = (row: MediaRequestRow) => (row.hasThumbnail ? assetPath(thumbnailKey(row.assetName)) : null);

export function voiceResult(row: MediaRequestRow) {
  return {
    request_id: row.id,
    audio_url: assetPath(resultKey(row)),
    duration_seconds: row.durationSeconds ?? 0,
    file_size_bytes: row.fileSizeBytes ?? 0,
    format: "wav" as const,
    generated_at: row.completedAt ?? row.createdAt,
  };
}

export function videoResult(row: MediaRequestRow) {
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

export function statusBody(row: MediaRequestRow) {
  const completed = row.status === "completed";
  return {
    request_id: row.id,
    status: publicStatus(row.status),
    progress: row.progress,
    media_type: row.mediaType,
    ...(completed
      ? {
          result:
            row.mediaType === "voice"
              ? { audio_url: assetPath(resultKey(row)), duration_seconds: row.durationSeconds ?? 0, file_size_bytes: row.fileSizeBytes ?? 0, format: row.format ?? "wav" }
              : {
                  video_url: assetPath(resultKey(row)),
                  thumbnail_url: thumbnail(row),
                  duration_seconds: row.durationSeconds ?? 0,
                  file_size_bytes: row.fileSizeBytes ?? 0,
                  format: row.format ?? "mp4",
                  resolution: row.resolution ?? "",
                },
        }
      : {}),
    ...(row.status === "failed" ? { error: { code: row.errorCode ?? "SERVICE_UNAVAILABLE", message: row.errorMessage ?? "The job failed" } } : {}),
    // A job we canceled ourselves (its session's history was cleared) says why.
    ...(row.status === "canceled" && row.errorMessage ? { error: { code: row.errorCode ?? "CANCELED", message: row.errorMessage } } : {}),
    created_at: row.createdAt,
    completed_at: row.completedAt,
  };
}

export const acceptedBody = (row: MediaRequestRow) => ({
  request_id: row.id,
  status: publicStatus(row.status),
  media_type: row.mediaType,
  status_url: `/api/v1/media/status/${row.id}`,
});
