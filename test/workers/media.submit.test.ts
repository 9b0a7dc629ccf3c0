/**
 * A job reaches the GPU once: submitters claim it in D1 first (compare-and-set), and a create whose
 * outcome is unknown is looked up before it is tried again.
 */
import { describe, expect, it, vi } from "vitest";
import { voiceCall } from "../../gpu-jobs/models";
import { getCharacterRow } from "../../workers/db/characters";
import { getDb } from "../../workers/db/client";
import { createJob } from "../../workers/media/create";
import { submitJob } from "../../workers/media/submit-job";
import { reconcileMediaJobs } from "../../workers/media/reconcile";
import { getJob } from "../../workers/media/store";
import { env } from "../support/env";
import { TEST_REPLICATE_TOKEN } from "../support/gpu-constants";
import { drainWebhooks, terminal, waitForStatus } from "../support/media";

vi.setConfig({ testTimeout: 30_000 });

/** A queued voice job in D1, not yet sent anywhere. */
async function queuedJob(text: string) {
  const db = getDb(env.DB);
  const character = (await getCharacterRow(db, "assistant"))!;
  const call = voiceCall(character.voiceModel, text, { speed: 1, pitch: 1, emotion: "neutral" });
  if (!call.ok) throw new Error(call.message);
  return createJob(db, { keyId: "key_admin", character, text, provider: "replicate", settings: {} }, call.call);
}

/** The emulator's predictions whose webhook names this job. */
async function predictionsOf(jobId: string): Promise<{ id: string }[]> {
  const found: { id: string }[] = [];
  for (let url: string | null = `${env.REPLICATE_BASE_URL}/predictions`; url; ) {
    const page = (await (await fetch(url, { headers: { Authorization: `Bearer ${TEST_REPLICATE_TOKEN}` } })).json()) as {
      next: string | null;
      results: { id: string; webhook?: string }[];
    };
    found.push(...page.results.filter((p) => p.webhook?.endsWith(`/${jobId}`)));
    url = page.next;
  }
  return found;
}

describe("one prediction per job", () => {
  it("two submitters at once (settle and the reconciler) make one prediction", async () => {
    const job = await queuedJob("two submitters, one prediction");
    await Promise.all([submitJob(env, job.id), submitJob(env, job.id)]);
    expect(await predictionsOf(job.id)).toHaveLength(1);
    expect((await getJob(getDb(env.DB), job.id))!.predictionId).toBe((await predictionsOf(job.id))[0]!.id);
  });

  it("two overlapping cron runs submit a lost job once", async () => {
    const job = await queuedJob("overlapping crons, one prediction");
    const later = Date.now() + 2 * 60_000;
    await Promise.all([reconcileMediaJobs(env, later), reconcileMediaJobs(env, later)]);
    expect(await predictionsOf(job.id)).toHaveLength(1);
  });

  it("a create whose answer was lost is looked up, not sent again, and the job completes", async () => {
    await drainWebhooks();
    const job = await queuedJob("[[lost-answer]] did it get there");
    await submitJob(env, job.id);
    expect(await predictionsOf(job.id)).toHaveLength(1);
    const row = (await getJob(getDb(env.DB), job.id))!;
    expect(row.predictionId).toBe((await predictionsOf(job.id))[0]!.id);
    expect((await waitForStatus(job.id, terminal)).at(-1).status).toBe("completed");
  });
});
