import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../tools/stack.ts";

// `npm start` with no GPU provider: the GPU emulator posts its signed webhooks to the running Worker,
// so this is the whole media flow as a developer sees it, real HTTP webhooks included.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ LLM_EMULATOR_TOKEN_DELAY_MS: "0", GPU_EMULATOR_STEP_MS: "100" });
});
afterAll(async () => {
  await stack?.stop();
});

const call = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    ...init,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.adminKey}`, ...(init.headers as Record<string, string>) },
  });
  return { status: res.status, json: (await res.json()) as any };
};

describe("npm start: reply media through the GPU emulator and real webhooks", () => {
  it("says at start-up that media is emulated", () => {
    expect(stack.output()).toContain("GPU EMULATOR");
  });

  it("a reply of assistant gets speech and a talking head, ready within seconds", async () => {
    const reply = await call("/api/v1/chat/message", { method: "POST", body: JSON.stringify({ message: "Say something nice.", character_id: "assistant" }) });
    const start = Date.now();
    expect(reply.status).toBe(200);
    const { media } = reply.json;
    expect(media.status).toBe("pending");
    const progress: number[] = [];
    let video: any;
    for (;;) {
      video = (await call(`/api/v1/media/status/${media.video_request_id}`)).json;
      progress.push(video.progress);
      if (["completed", "failed", "canceled"].includes(video.status)) break;
      if (Date.now() - start > 45_000) throw new Error(`video not ready: ${JSON.stringify(video)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyMs = Date.now() - start;
    console.log(`npm start: reply -> talking-head video ready in ${readyMs} ms (emulator step 100 ms)`);
    expect(video.status, JSON.stringify(video)).toBe("completed");
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);

    const file = await fetch(`${stack.baseUrl}${media.video_url}`, { headers: { Range: "bytes=0-7" } });
    expect(file.status).toBe(206);
    expect(file.headers.get("Content-Type")).toBe("video/mp4");
    expect(new TextDecoder().decode(new Uint8Array(await file.arrayBuffer())).slice(4)).toBe("ftyp");
    const audio = await fetch(`${stack.baseUrl}${media.audio_url}`);
    expect(audio.headers.get("Content-Type")).toBe("audio/wav");
    expect(Number(audio.headers.get("Content-Length"))).toBeGreaterThan(44);
    await audio.arrayBuffer();
  });
});
