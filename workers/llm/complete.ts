import type { ChatMessage, LlmProvider } from "./types";

/** A whole completion's text, for background work that has no one to stream to (memory's extraction, summaries). */
export async function completeText(llm: LlmProvider, messages: ChatMessage[], maxTokens: number): Promise<string> {
  let text = "";
  for await (const event of llm.stream({ messages, maxTokens, temperature: 0 })) if (event.type === "delta") text += event.text;
  return text;
}
