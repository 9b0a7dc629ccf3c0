/** The answer of a media POST: 202 at once, or with `Prefer: wait=N` the finished body (RFC 7240). */
import type { Context } from "hono";
import { ERROR_STATUS, type ErrorCode } from "../../../shared/errors";
import type { VideoResult, VoiceResult } from "../../../shared/schemas/media";
import { isTerminal } from "../../../gpu-jobs/job-machine";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import type { MediaRequestRow } from "../../db/schema";
import type { AppEnv } from "../../env";
import { submitJob } from "../../media/submit-job";
import { acceptedBody } from "../../media/present";
import { logFailure } from "../../media/reply-voice";
import { getJob } from "../../media/store";
import { sleep } from "../../../shared/sleep";

const MAX_WAIT_SECONDS = 60;
const POLL_MS = 250;

/** Seconds the client is willing to wait: `Prefer: wait=N`, at most 60; 0 when absent. */
export function preferredWait(header: string | undefined): number {
  const match = header?.match(/(?:^|[\s,;])wait\s*=\s*"?(\d+)"?/i);
  return match ? Math.min(MAX_WAIT_SECONDS, Number(match[1])) : 0;
}

async function waitForJob(c: Context<AppEnv>, id: string, seconds: number): Promise<MediaRequestRow | undefined> {
  const db = getDb(c.env.DB);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const row = await getJob(db, id);
    if (!row || isTerminal(row.status) || Date.now() >= deadline) return row;
    await sleep(Math.min(POLL_MS, deadline - Date.now()));
  }
}

/**
 * Starts `submit` (the first job of the request) in the background and answers for `job` (the job whose
 * result the client asked for: the video of a talking-head chain), as `finished` presents it once done.
 */
export async function respondToMediaRequest<Result extends VoiceResult | VideoResult>(
  c: Context<AppEnv>,
  job: MediaRequestRow,
  submitId: string,
  finished: (row: MediaRequestRow) => Result,
) {
  c.executionCtx.waitUntil(submitJob(c.env, submitId).catch(logFailure(submitId)));
  const wait = preferredWait(c.req.header("Prefer"));
  if (!wait) return c.json(acceptedBody(job), 202);
  const row = (await waitForJob(c, job.id, wait)) ?? job;
  c.header("Preference-Applied", `wait=${wait}`);
  if (row.status === "completed") return c.json(finished(row), 200);
  if (row.status === "failed") {
    const code = (row.errorCode && row.errorCode in ERROR_STATUS ? row.errorCode : "SERVICE_UNAVAILABLE") as ErrorCode;
    throw new ApiError(code, row.errorMessage ?? "The media job failed", { request_id: row.id });
  }
  return c.json(acceptedBody(row), 202);
}
