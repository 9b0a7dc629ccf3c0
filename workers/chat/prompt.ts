import type { ChatMessage } from "../llm/types";
import { DEFAULT_USER_NAME, substituteMacros, substituteOriginal, type MacroNames } from "./macros";

export interface PromptCharacter {
  name: string;
  description: string;
  personality: string;
  /** Character Card fields; absent or "" leaves them out. */
  nickname?: string | null;
  scenario?: string;
  /** Example dialogue in the cards' format: blocks that each start with `<START>`. */
  exampleMessages?: string;
  postHistoryInstructions?: string;
  configuration: { temperature: number; max_tokens: number; system_prompt: string };
}

export interface PastMessage {
  role: "user" | "assistant";
  content: string;
}

export interface PromptInput {
  character: PromptCharacter;
  userName?: string;
  /** Earlier turns, oldest first; the builder keeps the most recent ones that fit. */
  history: PastMessage[];
  /** The text the reply answers; omitted when the history itself ends the prompt (a regenerated reply to a reply). */
  userMessage?: string;
  contextTokens: number;
  countMessageTokens: (content: string) => number;
}

export interface Prompt {
  messages: ChatMessage[];
  promptTokens: number;
  historyMessagesUsed: number;
  /** Example dialogue blocks that fit (all of them unless the window is tight). */
  examplesUsed: number;
  /** The reply's token allowance: the character's max_tokens, cut to what the context window has left. */
  maxTokens: number;
}

/** What `{{original}}` in a card's system prompt stands for: the prompt we use when a character has none. */
export const ORIGINAL_SYSTEM_PROMPT = "Write {{char}}'s next reply in a conversation with {{user}}. Stay in character.";

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

export const macroNames = (character: PromptCharacter, userName?: string): MacroNames => ({
  char: character.nickname || character.name,
  user: userName || DEFAULT_USER_NAME,
});

/** The example dialogue's blocks, split at `<START>`, without empty ones. */
export function exampleBlocks(exampleMessages: string | undefined): string[] {
  return (exampleMessages ?? "")
    .split(/<START>/i)
    .map((block) => block.trim())
    .filter(Boolean);
}

/**
 * The system message: the card's system prompt (`{{original}}` in it is our default), who the
 * character is, description, personality, scenario, the user's name, then the first `examples`
 * example dialogue blocks. Macros are substituted throughout.
 */
export function systemPrompt(character: PromptCharacter, userName?: string, examples = Infinity): string {
  const names = macroNames(character, userName);
  const own = character.configuration.system_prompt.trim();
  // The spec: an empty system prompt means the app's own; {{original}} splices the app's own in.
  const main = own ? substituteOriginal(own, ORIGINAL_SYSTEM_PROMPT) : ORIGINAL_SYSTEM_PROMPT;
  const lines = [main, sentence(`You are ${character.name}`)];
  if (character.description.trim()) lines.push(sentence(character.description));
  if (character.personality.trim()) lines.push(sentence(`Personality: ${character.personality}`));
  if (character.scenario?.trim()) lines.push(sentence(`Scenario: ${character.scenario}`));
  if (userName) lines.push(sentence(`The user's name is ${userName}`));
  const blocks = exampleBlocks(character.exampleMessages).slice(0, examples);
  if (blocks.length > 0) {
    lines.push(
      "\nExample dialogue of {{char}} with {{user}} (a guide to {{char}}'s voice, not part of this conversation):\n" +
        blocks.map((block, i) => `[Example ${i + 1}]\n${block}`).join("\n\n"),
    );
  }
  return substituteMacros(lines.filter(Boolean).join("\n"), names);
}

/**
 * The user's newest message, followed by the card's post-history instructions if it has any. They go
 * with the last message (not in a system message after it) because they must come after the history,
 * and several chat templates refuse a system message anywhere but first.
 */
export function finalUserMessage(character: PromptCharacter, userMessage: string, userName?: string): string {
  const instructions = substituteOriginal(character.postHistoryInstructions?.trim() ?? "", "").trim();
  if (!instructions) return userMessage;
  return `${userMessage}\n\n${substituteMacros(instructions, macroNames(character, userName))}`;
}

/**
 * System prompt, then as much recent history as the budget allows, then the new message (with the
 * post-history instructions). Half the window at most is held back for the reply, so a long history
 * never crowds it out. If the fixed parts alone overflow, example dialogue blocks go first.
 */
export function buildPrompt(input: PromptInput): Prompt {
  const { character, userName } = input;
  const user: ChatMessage[] = input.userMessage === undefined ? [] : [{ role: "user", content: finalUserMessage(character, input.userMessage, userName) }];
  const replyReserve = Math.min(character.configuration.max_tokens, Math.floor(input.contextTokens / 2));
  const budget = input.contextTokens - replyReserve;
  const userCost = user.length === 0 ? 0 : input.countMessageTokens(user[0]!.content);

  let examples = exampleBlocks(character.exampleMessages).length;
  let system: ChatMessage = { role: "system", content: systemPrompt(character, userName, examples) };
  let used = input.countMessageTokens(system.content) + userCost;
  while (examples > 0 && used > budget) {
    examples--;
    system = { role: "system", content: systemPrompt(character, userName, examples) };
    used = input.countMessageTokens(system.content) + userCost;
  }

  const kept: ChatMessage[] = [];
  for (let i = input.history.length - 1; i >= 0; i--) {
    const past = input.history[i]!;
    const cost = input.countMessageTokens(past.content);
    if (used + cost > budget) break;
    used += cost;
    kept.push({ role: past.role, content: past.content });
  }
  kept.reverse();

  return {
    messages: [system, ...kept, ...user],
    promptTokens: used,
    historyMessagesUsed: kept.length,
    examplesUsed: examples,
    maxTokens: Math.max(1, Math.min(character.configuration.max_tokens, input.contextTokens - used)),
  };
}
