import type { ChatMessage } from "../llm/types";

export interface PromptCharacter {
  name: string;
  description: string;
  personality: string;
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
  userMessage: string;
  contextTokens: number;
  countMessageTokens: (content: string) => number;
}

export interface Prompt {
  messages: ChatMessage[];
  promptTokens: number;
  historyMessagesUsed: number;
  /** The reply's token allowance: the character's max_tokens, cut to what the context window has left. */
  maxTokens: number;
}

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

export function systemPrompt(character: PromptCharacter, userName?: string): string {
  const lines = [character.configuration.system_prompt.trim(), sentence(`You are ${character.name}`)];
  if (character.description) lines.push(sentence(character.description));
  if (character.personality) lines.push(sentence(`Personality: ${character.personality}`));
  if (userName) lines.push(sentence(`The user's name is ${userName}`));
  return lines.filter(Boolean).join("\n");
}

/**
 * System prompt, then as much recent history as the budget allows, then the new message.
 * Half the window at most is held back for the reply, so a long history never crowds it out.
 */
export function buildPrompt(input: PromptInput): Prompt {
  const system: ChatMessage = { role: "system", content: systemPrompt(input.character, input.userName) };
  const user: ChatMessage = { role: "user", content: input.userMessage };
  const replyReserve = Math.min(input.character.configuration.max_tokens, Math.floor(input.contextTokens / 2));
  let used = input.countMessageTokens(system.content) + input.countMessageTokens(user.content);
  const budget = input.contextTokens - replyReserve;

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
    messages: [system, ...kept, user],
    promptTokens: used,
    historyMessagesUsed: kept.length,
    maxTokens: Math.max(1, Math.min(input.character.configuration.max_tokens, input.contextTokens - used)),
  };
}
