import { describe, expect, it } from "vitest";
import { selectLlmProvider } from "../../workers/llm/select-provider";
import { LlmError, type CompletionEvent } from "../../workers/llm/types";
import { workersAi } from "../../workers/llm/workers-ai";
import type { Env } from "../../workers/env";

const sse = (...events: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(new TextEncoder().encode(`data: ${event}\n\n`));
      controller.close();
    },
  });

const collect = async (stream: AsyncGenerator<CompletionEvent>) => {
  const events: CompletionEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
};

const request = { messages: [{ role: "user" as const, content: "hi" }], temperature: 0.5, maxTokens: 20 };

describe("Workers AI provider", () => {
  it("streams the binding's SSE answer as deltas and usage", async () => {
    let seen: any;
    const ai = {
      run: async (model: string, inputs: unknown) => {
        seen = { model, inputs };
        return sse(
          JSON.stringify({ response: "Hel" }),
          JSON.stringify({ response: "lo" }),
          JSON.stringify({ response: "", usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
          "[DONE]",
        );
      },
    } as unknown as Ai;
    const events = await collect(workersAi(ai, "@cf/meta/llama-3.1-8b-instruct", 1000).stream(request));
    expect(events).toEqual([
      { type: "delta", text: "Hel", logprobs: [] },
      { type: "delta", text: "lo", logprobs: [] },
      { type: "usage", promptTokens: 5, completionTokens: 2, totalTokens: 7 },
    ]);
    expect(seen).toEqual({ model: "@cf/meta/llama-3.1-8b-instruct", inputs: { messages: request.messages, temperature: 0.5, max_tokens: 20, stream: true } });
  });

  it("fails on a cut stream or a failing binding", async () => {
    const cut = { run: async () => sse(JSON.stringify({ response: "Hel" })) } as unknown as Ai;
    await expect(collect(workersAi(cut, "m", 1000).stream(request))).rejects.toBeInstanceOf(LlmError);
    const failing = {
      run: async () => {
        throw new Error("3040: capacity");
      },
    } as unknown as Ai;
    await expect(collect(workersAi(failing, "m", 1000).stream(request))).rejects.toThrow(/capacity/);
  });
});

describe("provider selection", () => {
  const ai = { run: async () => sse("[DONE]") } as unknown as Ai;
  it("prefers LLM_BASE_URL, then the AI binding, else none", () => {
    expect(selectLlmProvider({ LLM_BASE_URL: "http://127.0.0.1:1/v1", AI: ai } as Env)?.name).toBe("openai-compatible");
    expect(selectLlmProvider({ AI: ai, LLM_MODEL: "gpt-4o" } as Env)).toMatchObject({ name: "workers-ai", model: "@cf/meta/llama-3.1-8b-instruct" });
    expect(selectLlmProvider({} as Env)).toBeUndefined();
  });
});
