import { describe, expect, it } from "vitest";
import { substituteMacros, substituteOriginal } from "../../workers/chat/macros";
import { buildPrompt, exampleBlocks, finalUserMessage, ORIGINAL_SYSTEM_PROMPT, systemPrompt, type PromptCharacter } from "../../workers/chat/prompt";
import { countMessageTokens } from "../../workers/chat/tokens";
import { greetingsFor, runTurn, type NewMessage, type StoredMessage, type TurnCharacter, type TurnStore } from "../../workers/chat/turn";
import type { CompletionRequest, LlmProvider } from "../../workers/llm/types";

const card: PromptCharacter = {
  name: "Seraphina",
  description: "{{char}} guards the forest and {{user}}.",
  personality: "Gentle",
  scenario: "{{user}} wakes in {{char}}'s glade.",
  exampleMessages: "<START>\n{{user}}: Hi\n{{char}}: Hello, {{user}}.\n<start>\n<USER>: Safe?\n<BOT>: Yes.\n<START>\n",
  postHistoryInstructions: "Stay in the glade, {{char}}.",
  configuration: { temperature: 0.7, max_tokens: 100, system_prompt: "Main. {{original}} More." },
};

describe("macros", () => {
  it("substitutes {{char}}, {{user}} in any case and spacing, and the legacy <BOT>/<USER>/<char>", () => {
    const names = { char: "Sera", user: "Alice" };
    expect(substituteMacros("{{char}} {{Char}} {{ CHAR }} <BOT> <bot> <char> | {{user}} {{USER}} <USER> <user>", names)).toBe(
      "Sera Sera Sera Sera Sera Sera | Alice Alice Alice Alice",
    );
  });

  it("inserts names literally, even with replacement patterns in them", () => {
    expect(substituteMacros("hi {{user}}", { char: "c", user: "$& $1 $$" })).toBe("hi $& $1 $$");
  });

  it("replaces {{original}}", () => {
    expect(substituteOriginal("a {{original}} b {{ Original }}", "X")).toBe("a X b X");
  });
});

describe("prompt builder with card fields", () => {
  it("builds the system prompt from every prompt field, macros substituted", () => {
    const text = systemPrompt(card, "Alice");
    expect(text).toContain(`Main. Write Seraphina's next reply in a conversation with Alice. Stay in character. More.`);
    expect(text).toContain("You are Seraphina.");
    expect(text).toContain("Seraphina guards the forest and Alice.");
    expect(text).toContain("Personality: Gentle.");
    expect(text).toContain("Scenario: Alice wakes in Seraphina's glade.");
    expect(text).toContain("[Example 1]\nAlice: Hi\nSeraphina: Hello, Alice.");
    expect(text).toContain("[Example 2]\nAlice: Safe?\nSeraphina: Yes.");
    expect(text).not.toContain("[Example 3]");
    expect(text).not.toMatch(/\{\{|<START>|<BOT>|<USER>/i);
    // Order: system prompt, identity, description, personality, scenario, examples.
    const order = ["Main.", "You are", "guards the forest", "Personality:", "Scenario:", "[Example 1]"].map((s) => text.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("uses our default system prompt when the card has none, and 'User' when the user has no name", () => {
    const text = systemPrompt({ ...card, configuration: { ...card.configuration, system_prompt: "" } });
    expect(text.startsWith(substituteMacros(ORIGINAL_SYSTEM_PROMPT, { char: "Seraphina", user: "User" }))).toBe(true);
    expect(text).toContain("Seraphina guards the forest and User.");
  });

  it("uses the nickname for {{char}} but the name for who the character is", () => {
    const text = systemPrompt({ ...card, nickname: "Sera" }, "Alice");
    expect(text).toContain("You are Seraphina.");
    expect(text).toContain("Sera guards the forest and Alice.");
  });

  it("splits example dialogue at <START> (any case) and drops empty blocks", () => {
    expect(exampleBlocks(card.exampleMessages)).toHaveLength(2);
    expect(exampleBlocks("")).toEqual([]);
    expect(exampleBlocks("no start marker: one block")).toEqual(["no start marker: one block"]);
  });

  it("puts the post-history instructions after the history, with the user's newest message", () => {
    const history = [
      { role: "assistant" as const, content: "greeting" },
      { role: "user" as const, content: "earlier" },
      { role: "assistant" as const, content: "reply" },
    ];
    const prompt = buildPrompt({ character: card, userName: "Alice", history, userMessage: "now", contextTokens: 4000, countMessageTokens });
    expect(prompt.messages.map((m) => m.role)).toEqual(["system", "assistant", "user", "assistant", "user"]);
    expect(prompt.messages.at(-1)!.content).toBe("now\n\nStay in the glade, Seraphina.");
    expect(finalUserMessage({ ...card, postHistoryInstructions: "" }, "now")).toBe("now");
    expect(finalUserMessage({ ...card, postHistoryInstructions: "{{original}}" }, "now")).toBe("now");
  });

  it("counts the card's text in the budget: history gives way, and examples go when even they do not fit", () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? ("assistant" as const) : ("user" as const), content: `message ${i} `.repeat(5) }));
    const roomy = buildPrompt({ character: card, history, userMessage: "now", contextTokens: 700, countMessageTokens });
    const bare = buildPrompt({
      character: { ...card, exampleMessages: "", scenario: "", postHistoryInstructions: "" },
      history,
      userMessage: "now",
      contextTokens: 700,
      countMessageTokens,
    });
    expect(roomy.examplesUsed).toBe(2);
    expect(roomy.historyMessagesUsed).toBeLessThan(bare.historyMessagesUsed);
    for (const prompt of [roomy, bare]) {
      expect(prompt.promptTokens).toBe(prompt.messages.reduce((sum, m) => sum + countMessageTokens(m.content), 0));
      expect(prompt.promptTokens).toBeLessThanOrEqual(700 - 100);
    }

    const longExamples = {
      ...card,
      exampleMessages: Array.from({ length: 10 }, (_, i) => `<START>\n{{user}}: example ${i} ${"words ".repeat(40)}`).join("\n"),
    };
    const tight = buildPrompt({ character: longExamples, history, userMessage: "now", contextTokens: 600, countMessageTokens });
    expect(tight.examplesUsed).toBeGreaterThan(0);
    expect(tight.examplesUsed).toBeLessThan(10);
    expect(tight.promptTokens).toBeLessThanOrEqual(600 - 100);
    expect(tight.messages[0]!.content).toContain(`[Example ${tight.examplesUsed}]`);
    expect(tight.messages[0]!.content).not.toContain(`[Example ${tight.examplesUsed + 1}]`);
  });
});

describe("first message", () => {
  const character: TurnCharacter = { ...card, id: "seraphina", firstMessage: "  *{{char}} smiles at {{user}}.*  " };

  it("greets an empty session only, with macros substituted, and alternate greetings after the first", () => {
    expect(greetingsFor(character, "Alice", true)).toEqual(["*Seraphina smiles at Alice.*"]);
    expect(greetingsFor(character, undefined, true)).toEqual(["*Seraphina smiles at User.*"]);
    expect(greetingsFor(character, "Alice", false)).toEqual([]);
    expect(greetingsFor({ ...character, firstMessage: "  " }, "Alice", true)).toEqual([]);
    expect(greetingsFor({ ...character, firstMessage: undefined }, "Alice", true)).toEqual([]);
    expect(greetingsFor({ ...character, alternateGreetings: ["Hi {{user}}", " ", "Yo"] }, "Alice", true)).toEqual([
      "*Seraphina smiles at Alice.*",
      "Hi Alice",
      "Yo",
    ]);
  });

  it("stores the greeting before the first user message, and the LLM sees it", async () => {
    const messages: StoredMessage[] = [];
    // A one-line conversation: enough for a turn that only appends.
    const append = (message: NewMessage, at: string) => {
      const { client_id: _, ...fields } = message;
      const stored = { ...fields, id: message.id ?? `msg_${messages.length}`, parent_id: messages.at(-1)?.id ?? null, timestamp: at };
      messages.push(stored);
      return stored;
    };
    const store: TurnStore = {
      count: () => messages.length,
      recentTexts: (limit) => messages.slice(-limit).map(({ role, content }) => ({ role, content })),
      locate: () => undefined,
      loreTimeline: () => [],
      append,
      openWith: ([first]) => append(first!, new Date(0).toISOString()),
      branchFrom: () => {
        throw new Error("not a branching turn");
      },
    };
    const requests: CompletionRequest[] = [];
    const llm: LlmProvider = {
      name: "fake",
      model: "fake",
      async *stream(request) {
        requests.push(request);
        yield { type: "delta", text: "reply", logprobs: [] };
      },
    };
    const deps = { store, llm, now: () => 0, contextTokens: 4000, countMessageTokens };
    const first = await runTurn(deps, { character, action: { kind: "message", text: "hi" }, userName: "Alice", includeHistory: true, replyId: "msg_r1" });
    expect(first.ok).toBe(true);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["assistant", "*Seraphina smiles at Alice.*"],
      ["user", "hi"],
      ["assistant", "reply"],
    ]);
    expect(requests[0]!.messages.slice(1).map((m) => m.role)).toEqual(["assistant", "user"]);
    expect(requests[0]!.messages[1]!.content).toBe("*Seraphina smiles at Alice.*");

    await runTurn(deps, { character, action: { kind: "message", text: "again" }, userName: "Alice", includeHistory: true, replyId: "msg_r2" });
    expect(messages.filter((m) => m.content.includes("smiles"))).toHaveLength(1);
  });
});
