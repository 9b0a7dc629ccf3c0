/**
 * The Worker side of gpu-jobs/job-machine.ts: its pure transitions applied to media_requests rows by
 * compare-and-set in D1, so nothing moves backwards and two deliveries of one event write once.
 */
import { advance, type JobState } from "../../gpu-jobs/job-machine";
import type { Db } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import { getJob, moveJob, type NewJob } from "./store";

/** The state an event asks for, with the fields to write along with it; undefined: no change. */
export type JobDecision = (JobState & { fields?: Partial<NewJob> }) | undefined;

// More than the events a provider sends for one job at once: each lost round means another event was written.
const CAS_ATTEMPTS = 16;

/** A move lost every compare-and-set round: the caller must not acknowledge the event (its sender retries). */
class JobContention extends Error {}

export const nowIso = () => new Date().toISOString();

/**
 * Reads the job, asks `decide` for its next state, and writes it with compare-and-set, rereading on a
 * lost race. Answers the row as written, or undefined when the event changes nothing; throws
 * JobContention when every round was lost (a webhook is then answered 5xx, and sent again).
 */
export async function transitionJob(db: Db, id: string, decide: (row: MediaRequestRow) => JobDecision, source: string): Promise<MediaRequestRow | undefined> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const row = await getJob(db, id);
    if (!row) return undefined;
    const wanted = decide(row);
    if (!wanted) return undefined;
    const next = advance(row, wanted);
    if (!next) return undefined;
    if (await moveJob(db, row, next, source, wanted.fields)) return { ...row, ...wanted.fields, status: next.status, progress: next.progress };
  }
  throw new JobContention(`job ${id}: ${CAS_ATTEMPTS} compare-and-set rounds lost`);
}
