/**
 * Clearing a session's history forgets its media: unfinished jobs stop (at the provider too), finished
 * ones keep their state but lose their files, and late webhooks change nothing.
 */
import { describe, expect, it, vi } from "vitest";
import { voiceCall } from "../../gpu-jobs/models";
import { getCharacterRow } from "../../workers/db/characters";
import { getDb } from "../../workers/db/client";
import { createJob } from "../../workers/media/create";
import { submitJob } from "../../workers/media/submit-job";
import { getJob, transitionsOf } from "../../workers/media/store";
import { api, send } from "../support/api";
import { env } from "../support/env";
import { TEST_REPLICATE_TOKEN } from "../support/gpu-constants";
import { asset, drainWebhooks, pumpWebhooks, status, terminal, waitForStatus } from "../support/media";

vi.setConfig({ testTimeout: 30_000 });

const emulatorStatus = async (predictionId: string) =>
  (
    (await (await fetch(`${env.REPLICATE_BASE_URL}/predictions/${predictionId}`, { headers: { Authorization: `Bearer ${TEST_REPLICATE_TOKEN}` } })).json()) as {
      status: string;
    }
  ).status;

describe("DELETE /chat/history forgets the session's media", () => {
  it("stops unfinished jobs, deletes the files, and ignores late webhooks", async () => {
    await drainWebhooks();
    const session = "forget-my-media";
    const reply = await send({ message: "Say something I will regret.", character_id: "assistant", session_id: session });
    expect(reply.status, reply.text).toBe(200);
    const { media } = reply.json;
    // The speech finishes (its settle submits the talking head); from here no webhook is delivered.
    const speech = (await waitForStatus(media.audio_request_id, terminal)).at(-1);
    expect(speech.status).toBe("completed");
    expect((await asset(media.audio_url)).status).toBe(200);
    expect(["queued", "processing"]).toContain((await status(media.video_request_id)).json.status);

    // And a job of the same session that would run forever at the provider.
    const db = getDb(env.DB);
    const character = (await getCharacterRow(db, "assistant"))!;
    const call = voiceCall(character.voiceModel, "[[hang]] never done", { speed: 1, pitch: 1, emotion: "neutral" });
    if (!call.ok) throw new Error(call.message);
    const hanging = await createJob(
      db,
      {
        keyId: "key_admin",
        character,
        text: "[[hang]] never done",
        provider: "replicate",
        settings: {},
        reply: { sessionId: session, messageId: reply.json.message_id },
      },
      call.call,
    );
    await submitJob(env, hanging.id);
    const predictionId = (await getJob(db, hanging.id))!.predictionId!;
    expect(predictionId).toBeTruthy();

    const cleared = await api("DELETE", `/api/v1/chat/history/${session}`);
    expect(cleared.status, cleared.text).toBe(200);

    // The finished speech stays completed (never moved backwards) but its file is gone.
    expect((await asset(media.audio_url)).status).toBe(404);
    expect((await status(media.audio_request_id)).json.status).toBe("completed");
    // The unfinished jobs end, with a message that says why.
    for (const id of [media.video_request_id, hanging.id]) {
      const row = (await getJob(db, id))!;
      expect(row.status, id).toBe("canceled");
      expect(row.errorMessage).toMatch(/history was cleared/);
    }
    expect((await status(hanging.id)).json).toMatchObject({ status: "canceled", error: { message: expect.stringMatching(/history was cleared/) } });
    // Stopped at the provider too.
    expect(await emulatorStatus(predictionId)).toBe("canceled");

    // Late webhooks (up to the talking head's terminal one) are acknowledged and change nothing.
    const before = await transitionsOf(db, media.video_request_id);
    const videoPrediction = (await getJob(db, media.video_request_id))!.predictionId!;
    for (const until = Date.now() + 15_000; !["succeeded", "canceled", "failed"].includes(await emulatorStatus(videoPrediction)); ) {
      if (Date.now() > until) throw new Error("the talking head never ended at the emulator");
      await new Promise((r) => setTimeout(r, 50));
    }
    await pumpWebhooks();
    expect(await transitionsOf(db, media.video_request_id)).toEqual(before);
    expect((await status(media.video_request_id)).json.status).toBe("canceled");
    expect((await asset(media.video_url)).status).toBe(404);
  });
});
