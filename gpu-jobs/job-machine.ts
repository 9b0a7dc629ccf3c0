/**
 * The media job's life, as pure functions: queued -> processing -> finalizing -> completed | failed |
 * canceled. A job only moves forward: an event that would move it back (a late `processing` webhook
 * after `completed`, a replayed `start`) or lower its progress changes nothing. `finalizing` is ours,
 * not the provider's: the output is being copied into R2; the API shows it as `processing`.
 * The Worker applies these to its D1 rows in workers/media/job-transitions.ts.
 */
const JOB_STATUSES = ["queued", "processing", "finalizing", "completed", "failed", "canceled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type PublicStatus = Exclude<JobStatus, "finalizing">;

const RANK: Record<JobStatus, number> = { queued: 0, processing: 1, finalizing: 2, completed: 3, failed: 3, canceled: 3 };

export const isTerminal = (status: JobStatus) => RANK[status] === 3;
export const publicStatus = (status: JobStatus): PublicStatus => (status === "finalizing" ? "processing" : status);

export interface JobState {
  status: JobStatus;
  progress: number;
}

export interface Transition {
  from: JobStatus;
  to: JobStatus;
  progress: number;
}

/**
 * The state after an event, or undefined when the event changes nothing (stale, duplicated, backwards).
 * Progress never drops and stays below 100 until the job completes.
 */
export function advance(current: JobState, event: JobState): (JobState & { transition?: Transition }) | undefined {
  if (isTerminal(current.status)) return undefined;
  if (RANK[event.status] < RANK[current.status]) return undefined;
  const progress =
    event.status === "completed" ? 100 : isTerminal(event.status) ? current.progress : Math.min(99, Math.max(current.progress, Math.round(event.progress)));
  const moved = event.status !== current.status;
  if (!moved && progress === current.progress) return undefined;
  return {
    status: event.status,
    progress,
    ...(moved ? { transition: { from: current.status, to: event.status, progress } } : {}),
  };
}

/** What a provider's prediction status means for the job (`succeeded` still needs the copy into R2). */
export function statusOfPrediction(status: string): JobStatus | undefined {
  switch (status) {
    case "starting":
      return "queued";
    case "processing":
      return "processing";
    case "succeeded":
      return "finalizing";
    case "failed":
      return "failed";
    case "canceled":
    case "aborted":
      return "canceled";
    default:
      return undefined;
  }
}

/**
 * Progress (0-100) from a prediction's logs: the last percentage a progress bar printed (tqdm's
 * " 40%|####  | 4/10", or "progress: 40%"), else undefined.
 */
export function progressFromLogs(logs: string | null | undefined): number | undefined {
  if (!logs) return undefined;
  const matches = [...logs.matchAll(/(\d{1,3}(?:\.\d+)?)\s?%/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const value = Number(last[1]);
  return value >= 0 && value <= 100 ? value : undefined;
}
