/**
 * Fault suite, GPU side: webhooks duplicated, reordered, forged, withheld until the reconciler runs,
 * and replayed under fresh ids. Every job must end in exactly one terminal state, with its file.
 */
import { Webhook } from "standardwebhooks";
import { expect, it, vi } from "vitest";
import { getDb } from "../../workers/db/client";
import { reconcileMediaJobs } from "../../workers/media/reconcile";
import { transitionsOf } from "../../workers/media/store";
import { api } from "../support/api";
import { env } from "../support/env";
import { TEST_WEBHOOK_SECRET } from "../support/gpu-constants";
import { asset, deliver, drainWebhooks, status, takeWebhooks } from "../support/media";

vi.setConfig({ testTimeout: 120_000 });

const signer = new Webhook(TEST_WEBHOOK_SECRET);
type Hook = Awaited<ReturnType<typeof takeWebhooks>>[number];
const PLANS = ["duplicated", "reordered", "forged", "withheld", "replayed"] as const;

/** Re-signs a body under a new webhook id: what a replay with a fresh id looks like. */
const resigned = (hook: Hook): Hook => {
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const at = new Date();
  return {
    ...hook,
    headers: {
      ...hook.headers,
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signer.sign(id, at, hook.body),
    },
  };
};

// A fixed shuffle, so a failure can be replayed exactly.
const shuffled = <T>(items: T[], seed: number) =>
  items
    .map((item, i) => ({ item, key: Math.sin(seed * 31 + i * 7) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);

it("every media job ends in exactly one terminal state with the right file, whatever its webhooks do", async () => {
  await drainWebhooks();
  const jobs = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const text = `Fault suite job ${i}. ${"Words to speak. ".repeat(i + 1)}`;
      const res = await api("POST", "/api/v1/media/voice", { body: { text } });
      expect(res.status).toBe(202);
      return { id: res.json.request_id as string, text, plan: PLANS[i % PLANS.length]!, hooks: [] as Hook[] };
    }),
  );

  // Collect each job's webhooks, delivering none yet.
  const deadline = Date.now() + 60_000;
  while (jobs.some((job) => !job.hooks.some((h) => JSON.parse(h.body).status === "succeeded"))) {
    if (Date.now() > deadline) throw new Error("the emulator did not finish every job");
    for (const hook of await takeWebhooks()) jobs.find((job) => hook.url.endsWith(`/${job.id}`))?.hooks.push(hook);
    await new Promise((r) => setTimeout(r, 50));
  }

  let injected = 0;
  for (const [n, job] of jobs.entries()) {
    const send = async (hook: Hook, headers?: Record<string, string>) => (await deliver(hook, headers)).status;
    if (job.plan === "duplicated") {
      for (const hook of job.hooks) {
        expect(await send(hook)).toBe(200);
        expect(await send(hook)).toBe(200);
        injected++;
      }
    } else if (job.plan === "reordered") {
      for (const hook of shuffled(job.hooks, n)) expect(await send(hook)).toBe(200);
      injected++;
    } else if (job.plan === "forged") {
      for (const hook of job.hooks) {
        expect(await send({ ...hook, body: hook.body.replace(/}\s*$/, ', "tampered": true}') })).toBe(401);
        expect(await send(hook, { "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).toBe(401);
        injected += 2;
      }
      for (const hook of job.hooks) expect(await send(hook)).toBe(200);
    } else if (job.plan === "withheld") {
      injected++;
    } else {
      for (const hook of job.hooks) expect(await send(hook)).toBe(200);
      // Replayed: the same deliveries again, then re-signed under fresh ids.
      for (const hook of job.hooks) expect(await send(hook)).toBe(200);
      for (const hook of shuffled(job.hooks, n)) expect(await send(resigned(hook))).toBe(200);
      injected += 2 * job.hooks.length;
    }
  }
  // Webhooks that never came: the reconciler (the cron) asks the provider and finishes those jobs.
  await reconcileMediaJobs(env, Date.now() + 2 * 60_000);
  // And when they do come, late, they change nothing.
  for (const job of jobs.filter((j) => j.plan === "withheld")) for (const hook of job.hooks) expect((await deliver(hook)).status).toBe(200);

  const db = getDb(env.DB);
  for (const job of jobs) {
    const body = (await status(job.id)).json;
    expect(body.status, `${job.plan} ${job.id}`).toBe("completed");
    const transitions = await transitionsOf(db, job.id);
    expect(
      transitions.filter((t) => ["completed", "failed", "canceled"].includes(t.toStatus)),
      job.plan,
    ).toHaveLength(1);
    // Forward only: progress never drops along the recorded transitions.
    const progress = transitions.map((t) => t.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const file = await asset(body.result.audio_url);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("audio/wav");
    expect(file.bytes.byteLength).toBe(body.result.file_size_bytes);
    // The right file: longer text, longer speech (about 15 characters a second in the emulator).
    expect(body.result.duration_seconds).toBeGreaterThan(job.text.length / 30);
  }
  console.log(`media fault suite: ${jobs.length} jobs, ${injected} webhook faults injected, 0 double terminal states`);
});

it("a move that loses every compare-and-set round throws, so its webhook is answered 5xx and sent again, never dropped", async () => {
  const { voiceCall } = await import("../../gpu-jobs/models");
  const { getCharacterRow } = await import("../../workers/db/characters");
  const { createJob } = await import("../../workers/media/create");
  const { transitionJob } = await import("../../workers/media/job-transitions");
  const db = getDb(env.DB);
  const character = (await getCharacterRow(db, "assistant"))!;
  const call = voiceCall(character.voiceModel, "Contended.", { speed: 1, pitch: 1, emotion: "neutral" });
  if (!call.ok) throw new Error(call.message);
  const job = await createJob(db, { keyId: "key_admin", character, text: "Contended.", provider: "replicate", settings: {} }, call.call);
  // Another event writes between every read and write: D1 runs the statements in the order they arrive.
  const rival = () => void env.DB.prepare("UPDATE media_requests SET progress = progress + 1 WHERE id = ?").bind(job.id).run();
  const move = transitionJob(
    db,
    job.id,
    () => {
      rival();
      return { status: "processing", progress: 50 };
    },
    "test",
  );
  await expect(move).rejects.toThrow(/compare-and-set rounds lost/);
  // One quiet round later, the same move goes through.
  expect(await transitionJob(db, job.id, () => ({ status: "processing", progress: 50 }), "test")).toMatchObject({ status: "processing" });
});
