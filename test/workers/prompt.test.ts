import { describe, expect, it } from "vitest";
import { buildPrompt, systemPrompt, type PromptCharacter } from "../../workers/chat/prompt";
import { countMessageTokens } from "../../workers/chat/tokens";
import { confidenceFrom } from "../../workers/chat/turn";

const character: PromptCharacter = {
  name: "Assistant",
  description: "A helpful and friendly AI assistant",
  personality: "Professional, helpful, and knowledgeable",
  configuration: { temperature: 0.7, max_tokens: 100, system_prompt: "You are a helpful assistant." },
};

describe("prompt builder", () => {
  it("puts the character and the user's name in the system prompt", () => {
    const text = systemPrompt(character, "Alice");
    expect(text).toContain("You are a helpful assistant.");
    expect(text).toContain("You are Assistant.");
    expect(text).toContain("A helpful and friendly AI assistant.");
    expect(text).toContain("Personality: Professional, helpful, and knowledgeable.");
    expect(text).toContain("The user's name is Alice.");
  });

  it("keeps the most recent history that fits the budget, in order", () => {
    const history = Array.from({ length: 100 }, (_, i) => ({
      role: i % 2 ? ("assistant" as const) : ("user" as const),
      content: `message number ${i} `.repeat(5),
    }));
    const prompt = buildPrompt({ character, history, userMessage: "now", contextTokens: 600, countMessageTokens });
    expect(prompt.historyMessagesUsed).toBeGreaterThan(0);
    expect(prompt.historyMessagesUsed).toBeLessThan(100);
    const kept = prompt.messages.slice(1, -1).map((m) => m.content);
    expect(kept).toEqual(history.slice(100 - prompt.historyMessagesUsed).map((m) => m.content));
    expect(prompt.messages.at(-1)).toEqual({ role: "user", content: "now" });
    expect(prompt.promptTokens).toBeLessThanOrEqual(600 - 100);
    expect(prompt.promptTokens).toBe(prompt.messages.reduce((sum, m) => sum + countMessageTokens(m.content), 0));
  });

  it("counts tokens with a real tokenizer", () => {
    expect(countMessageTokens("hello world")).toBe(2 + 4);
  });

  it("cuts the reply allowance to what the window has left", () => {
    const prompt = buildPrompt({
      character: { ...character, configuration: { ...character.configuration, max_tokens: 10_000 } },
      history: [],
      userMessage: "hi",
      contextTokens: 1000,
      countMessageTokens,
    });
    expect(prompt.maxTokens).toBe(1000 - prompt.promptTokens);
  });
});

describe("confidence", () => {
  it("is the geometric mean token probability, or null without log-probabilities", () => {
    expect(confidenceFrom([])).toBeNull();
    expect(confidenceFrom([Math.log(0.5), Math.log(0.5)])).toBe(0.5);
    expect(confidenceFrom([0, Math.log(0.25)])).toBe(0.5);
  });
});
