/**
 * What a provider's output may cost us: only its delivery hosts are fetched (no redirect elsewhere), a
 * file is streamed into R2 and cut off at a cap well under the isolate's memory, and the provider's
 * own error text stays in our logs.
 */
import { describe, expect, it, vi } from "vitest";
import { api } from "../support/api";
import { env } from "../support/env";
import { deliver, drainWebhooks, signedWebhook, status, terminal, voiceJobHooks, waitForStatus } from "../support/media";
import { getDb } from "../../workers/db/client";
import { getJob } from "../../workers/media/store";

vi.setConfig({ testTimeout: 30_000 });

/** The same delivery with another body, signed afresh. */
const resign = (hook: { url: string; headers: Record<string, string> }, body: string) => {
  const fresh = signedWebhook(hook.url, body);
  return { ...fresh, headers: { ...hook.headers, ...fresh.headers } };
};
const finishedHooks = (text: string) => voiceJobHooks(text);

const stored = async (id: string) => {
  const row = await getJob(getDb(env.DB), id);
  return env.MEDIA.head(`audio/${row!.assetName}.wav`);
};

describe("output hosts", () => {
  it("an output on another host is not fetched: the job fails and nothing is stored", async () => {
    const { id, succeeded } = await finishedHooks("output from elsewhere");
    const prediction = JSON.parse(succeeded.body);
    // Same file, same server, another origin: a signed event may not point us anywhere it likes.
    prediction.output = String(prediction.output).replace("127.0.0.1", "localhost");
    expect((await deliver(resign(succeeded, JSON.stringify(prediction)))).status).toBe(200);
    const done = (await status(id)).json;
    expect(done.status).toBe("failed");
    expect(await stored(id)).toBeNull();
  });

  it("a redirect to another host is not followed", async () => {
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "[[redirect]] moved away" } });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(await stored(res.json.request_id)).toBeNull();
  });

  it("the provider's own host still works (the emulator is GPU_ENDPOINT_URL's origin)", async () => {
    const { id, hooks } = await finishedHooks("output from home");
    for (const hook of hooks) expect((await deliver(hook)).status).toBe(200);
    expect((await status(id)).json.status).toBe("completed");
  });
});

describe("output size", () => {
  it("an output streamed without Content-Length is cut off at the cap; the job fails and nothing is stored", async () => {
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "[[huge]] a very long file" } });
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(await stored(res.json.request_id)).toBeNull();
  });
});

describe("provider error text", () => {
  it("a model's own error message stays in the log, with the request id; the client gets a generic one", async () => {
    const errors = vi.spyOn(console, "error");
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "[[fail]] tell me why" } });
    const id = res.json.request_id as string;
    const done = (await waitForStatus(id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(done.error.message).not.toMatch(/emulated model failure/);
    expect(done.error.message).toMatch(/model/i);
    const logged = errors.mock.calls.map((call) => String(call[0])).find((line) => line.includes(id) && line.includes("emulated model failure"));
    expect(logged, "the detail, logged with the request id").toBeDefined();
    expect(JSON.parse(logged!)).toMatchObject({ level: "error", request_id: id });
    errors.mockRestore();
  });
});
