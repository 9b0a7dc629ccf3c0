import { ApiError } from "../../api-error";
import type { Db } from "../../db/client";
import { missingLorebookIds } from "../../db/lorebooks";

/** Refuses lorebook_ids that name lorebooks which do not exist: 404 naming them, before anything is written. */
export async function requireLorebooks(db: Db, ids: readonly string[] | undefined): Promise<void> {
  if (!ids?.length) return;
  const missing = await missingLorebookIds(db, ids);
  if (missing.length > 0) {
    throw new ApiError("NOT_FOUND", `No ${missing.length === 1 ? "lorebook" : "lorebooks"} ${missing.join(", ")}`, { lorebook_ids: missing });
  }
}
