/** D1 access for media jobs: rows, compare-and-set transitions with their audit trail, webhook ids. */
import { and, asc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { mediaRequests, mediaTransitions, mediaWebhooks, sessionMediaSettings, type MediaRequestRow } from "../db/schema";
import type { JobStatus } from "../../gpu-jobs/job-machine";

export type NewJob = typeof mediaRequests.$inferInsert;

export async function insertJobs(db: Db, jobs: NewJob[]) {
  const now = jobs[0]?.createdAt ?? new Date().toISOString();
  await db.batch([
    db.insert(mediaRequests).values(jobs),
    db.insert(mediaTransitions).values(jobs.map((j) => ({ requestId: j.id, fromStatus: "new", toStatus: j.status!, progress: 0, source: "create", at: now }))),
  ]);
}

export const getJob = async (db: Db, id: string): Promise<MediaRequestRow | undefined> =>
  (await db.select().from(mediaRequests).where(eq(mediaRequests.id, id)).limit(1))[0];

export const getJobs = (db: Db, ids: string[]) => db.select().from(mediaRequests).where(inArray(mediaRequests.id, ids));

export const dependentsOf = (db: Db, id: string) => db.select().from(mediaRequests).where(eq(mediaRequests.dependsOn, id));

/**
 * Moves a job from the state it was read in to a new one, only if nobody moved it meanwhile
 * (compare-and-set on status and progress), and records the status change. False: lost the race.
 */
export async function moveJob(
  db: Db,
  row: Pick<MediaRequestRow, "id" | "status" | "progress">,
  next: { status: JobStatus; progress: number },
  source: string,
  fields: Partial<NewJob> = {},
): Promise<boolean> {
  const at = new Date().toISOString();
  const updated = await db
    .update(mediaRequests)
    .set({ ...fields, status: next.status, progress: next.progress, lastEventAt: at })
    .where(and(eq(mediaRequests.id, row.id), eq(mediaRequests.status, row.status), eq(mediaRequests.progress, row.progress)))
    .returning({ id: mediaRequests.id });
  if (updated.length !== 1) return false;
  if (next.status !== row.status) {
    await db.insert(mediaTransitions).values({ requestId: row.id, fromStatus: row.status, toStatus: next.status, progress: next.progress, source, at });
  }
  return true;
}

/**
 * Claims a queued job for submission, before any provider call: a compare-and-set on submit_attempts,
 * so of two submitters reading the same row one wins. A job claimed before (attempts > 0) is claimed
 * again only when its claimer has been silent since `staleBefore` (it died mid-create). False: not ours.
 */
export async function claimSubmission(db: Db, row: Pick<MediaRequestRow, "id" | "submitAttempts">, nowIso: string, staleBefore: string): Promise<boolean> {
  const claimed = await db
    .update(mediaRequests)
    .set({ submitAttempts: row.submitAttempts + 1, lastEventAt: nowIso })
    .where(
      and(
        eq(mediaRequests.id, row.id),
        eq(mediaRequests.status, "queued"),
        isNull(mediaRequests.predictionId),
        eq(mediaRequests.submitAttempts, row.submitAttempts),
        row.submitAttempts > 0 ? lt(mediaRequests.lastEventAt, staleBefore) : undefined,
      ),
    )
    .returning({ id: mediaRequests.id });
  return claimed.length === 1;
}

/** The job whose prediction this is, if any. */
export const predictionOwner = async (db: Db, provider: MediaRequestRow["provider"], predictionId: string): Promise<string | undefined> =>
  (
    await db
      .select({ id: mediaRequests.id })
      .from(mediaRequests)
      .where(and(eq(mediaRequests.provider, provider), eq(mediaRequests.predictionId, predictionId)))
      .limit(1)
  )[0]?.id;

/** Fields that do not change the state (prediction id, attempts); bumps last_event_at. */
export const touchJob = (db: Db, id: string, fields: Partial<NewJob>) =>
  db
    .update(mediaRequests)
    .set({ ...fields, lastEventAt: new Date().toISOString() })
    .where(eq(mediaRequests.id, id));

export const transitionsOf = (db: Db, id: string) =>
  db.select().from(mediaTransitions).where(eq(mediaTransitions.requestId, id)).orderBy(asc(mediaTransitions.id));

/** Records a webhook id; false when it was seen before (a redelivery or a replay). */
export async function firstSighting(db: Db, webhookId: string, requestId: string | null): Promise<boolean> {
  const inserted = await db
    .insert(mediaWebhooks)
    .values({ webhookId, requestId, receivedAt: new Date().toISOString() })
    .onConflictDoNothing()
    .returning({ id: mediaWebhooks.webhookId });
  return inserted.length === 1;
}

export const forgetSighting = (db: Db, webhookId: string) => db.delete(mediaWebhooks).where(eq(mediaWebhooks.webhookId, webhookId));

export const pruneSightings = (db: Db, beforeIso: string) => db.delete(mediaWebhooks).where(lt(mediaWebhooks.receivedAt, beforeIso));

/** Open jobs silent since `staleBefore` or past their deadline: the reconciler's work list. */
export const openJobsToReconcile = (db: Db, nowIso: string, staleBefore: string, limit: number) =>
  db
    .select()
    .from(mediaRequests)
    .where(
      and(
        inArray(mediaRequests.status, ["queued", "processing", "finalizing"]),
        or(lt(mediaRequests.lastEventAt, staleBefore), lt(mediaRequests.deadlineAt, nowIso)),
      ),
    )
    .orderBy(asc(mediaRequests.lastEventAt))
    .limit(limit);

export const jobsOfSession = (db: Db, sessionId: string) => db.select().from(mediaRequests).where(eq(mediaRequests.sessionId, sessionId));

export async function getSessionMedia(db: Db, sessionId: string) {
  return (await db.select().from(sessionMediaSettings).where(eq(sessionMediaSettings.sessionId, sessionId)).limit(1))[0];
}

export async function putSessionMedia(db: Db, sessionId: string, settings: { voice: boolean; video: boolean }) {
  const updatedAt = new Date().toISOString();
  await db
    .insert(sessionMediaSettings)
    .values({ sessionId, ...settings, updatedAt })
    .onConflictDoUpdate({ target: sessionMediaSettings.sessionId, set: { ...settings, updatedAt } });
}
