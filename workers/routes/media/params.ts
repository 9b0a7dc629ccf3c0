import { z } from "zod";
import { MediaRequestId } from "../../../shared/schemas/media";
import { ApiError } from "../../api-error";
import { isAdmin, type Caller } from "../../auth/caller";
import type { MediaRequestRow } from "../../db/schema";

export const RequestParams = z.object({ request_id: MediaRequestId });

/** A job is its key's (admin sees all): 404 when unknown, 403 when another key's. */
export function ownJob(row: MediaRequestRow | undefined, caller: Caller, id: string): MediaRequestRow {
  if (!row) throw new ApiError("NOT_FOUND", `No media request ${id}`);
  if (row.keyId !== caller.keyId && !isAdmin(caller)) throw new ApiError("FORBIDDEN", "This media request belongs to another API key");
  return row;
}
