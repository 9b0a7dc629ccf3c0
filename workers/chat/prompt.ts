import type { ChatMessage } from "../llm/types";
import type { InsertedLoreEntry } from "../lore/activation-types";
import { placeAtDepth, type DepthInsert } from "./depth-inserts";
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
  /** Stored messages have one; memory uses it to leave out of recall what the prompt already holds. */
  id?: string;
  role: "user" | "assistant";
  content: string;
  /** Who wrote it (a group session's prompt names each line's speaker). */
  character_id?: string;
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
  /** World-info entries that fired, in prompt order (`activateLore`). */
  lore?: InsertedLoreEntry[];
  /** The session's author's note and the character's depth note (SillyTavern's character note). */
  notes?: DepthInsert[];
  /** The memory section: what the character remembers of the user for this turn, rendered (`renderMemory`). */
  memory?: string;
  /** A group session: the other members, by name (the history's lines already name their speakers). */
  participants?: string[];
}

/** Tokens per part of the prompt, as the context preview shows them. */
interface PromptSections {
  system: number;
  lore: number;
  memory: number;
  examples: number;
  history: number;
  message: number;
}

export interface Prompt {
  messages: ChatMessage[];
  promptTokens: number;
  historyMessagesUsed: number;
  /** Example dialogue blocks that fit (all of them unless the window is tight). */
  examplesUsed: number;
  /** The reply's token allowance: the character's max_tokens, cut to what the context window has left. */
  maxTokens: number;
  sections: PromptSections;
  /** What the prompt may hold before the reply's reserve: the context window minus the reply's share. */
  budget: number;
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

/** What goes into the system message beside the card: lore around the definitions and the examples, memory. */
export interface SystemExtras {
  loreBefore?: string[];
  loreAfter?: string[];
  examplesTop?: string[];
  examplesBottom?: string[];
  memory?: string;
  participants?: string[];
}

/**
 * The system message: the card's system prompt (`{{original}}` in it is our default), world info
 * placed before the character, who the character is, description, personality, scenario, the user's
 * name, world info placed after the character (SillyTavern's story string order), what memory holds,
 * then the first `examples` example dialogue blocks (with the world info placed around them). Macros
 * are substituted throughout.
 */
export function systemPrompt(character: PromptCharacter, userName?: string, examples = Infinity, extras: SystemExtras = {}): string {
  const names = macroNames(character, userName);
  const own = character.configuration.system_prompt.trim();
  // The spec: an empty system prompt means the app's own; {{original}} splices the app's own in.
  const main = own ? substituteOriginal(own, ORIGINAL_SYSTEM_PROMPT) : ORIGINAL_SYSTEM_PROMPT;
  const lines = [main, ...(extras.loreBefore ?? []), sentence(`You are ${character.name}`)];
  if (character.description.trim()) lines.push(sentence(character.description));
  if (character.personality.trim()) lines.push(sentence(`Personality: ${character.personality}`));
  if (character.scenario?.trim()) lines.push(sentence(`Scenario: ${character.scenario}`));
  if (userName) lines.push(sentence(`The user's name is ${userName}`));
  if (extras.participants?.length) lines.push(groupLine(extras.participants));
  lines.push(...(extras.loreAfter ?? []));
  if (extras.memory) lines.push(`\n${extras.memory}`);
  const blocks = exampleBlocks(character.exampleMessages).slice(0, examples);
  if (blocks.length > 0) {
    lines.push(
      ...(extras.examplesTop ?? []),
      "\nExample dialogue of {{char}} with {{user}} (a guide to {{char}}'s voice, not part of this conversation):\n" +
        blocks.map((block, i) => `[Example ${i + 1}]\n${block}`).join("\n\n"),
      ...(extras.examplesBottom ?? []),
    );
  }
  return substituteMacros(lines.filter(Boolean).join("\n"), names);
}

/** A group session's line: who else takes part, and that the reply is the speaker's alone (SillyTavern's group nudge). */
const groupLine = (others: string[]) =>
  `This is a group conversation between {{user}}, {{char}} and ${others.join(", ")}; each line of the history starts with its speaker's name. Write only {{char}}'s next reply.`;

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

/** What a prompt may hold: the context window minus the reply's reserve (half the window at most). */
export const promptBudget = (character: PromptCharacter, contextTokens: number) =>
  contextTokens - Math.min(character.configuration.max_tokens, Math.floor(contextTokens / 2));

/**
 * System prompt (with the world info placed around the character and the examples, and memory), then
 * as much recent history as the budget allows, with the at-depth world info and notes placed in it,
 * then the new message (with the post-history instructions). Half the window at most is held back for
 * the reply, so a long history never crowds it out. If the fixed parts alone overflow, example
 * dialogue blocks go first.
 */
export function buildPrompt(input: PromptInput): Prompt {
  const { character, userName } = input;
  const lore = input.lore ?? [];
  const at = (position: InsertedLoreEntry["position"]) => lore.filter((entry) => entry.position === position).map((entry) => entry.content);
  const extras: SystemExtras = {
    loreBefore: at("before_char"),
    loreAfter: at("after_char"),
    examplesTop: at("em_top"),
    examplesBottom: at("em_bottom"),
    memory: input.memory,
    participants: input.participants,
  };
  const user: ChatMessage[] = input.userMessage === undefined ? [] : [{ role: "user", content: finalUserMessage(character, input.userMessage, userName) }];
  const budget = promptBudget(character, input.contextTokens);
  const count = input.countMessageTokens;
  const userCost = user.length === 0 ? 0 : count(user[0]!.content);
  const names = macroNames(character, userName);
  const inserts = depthInserts(lore, input.notes ?? []).map((insert) => ({ ...insert, content: substituteMacros(insert.content, names) }));
  const insertCost = inserts.reduce((sum, insert) => sum + count(insert.content), 0);

  let examples = exampleBlocks(character.exampleMessages).length;
  let system: ChatMessage = { role: "system", content: systemPrompt(character, userName, examples, extras) };
  let used = count(system.content) + userCost + insertCost;
  while (examples > 0 && used > budget) {
    examples--;
    system = { role: "system", content: systemPrompt(character, userName, examples, extras) };
    used = count(system.content) + userCost + insertCost;
  }

  const kept: ChatMessage[] = [];
  for (let i = input.history.length - 1; i >= 0; i--) {
    const past = input.history[i]!;
    const cost = count(past.content);
    if (used + cost > budget) break;
    used += cost;
    kept.push({ role: past.role, content: past.content });
  }
  kept.reverse();

  const historyTokens = kept.reduce((sum, m) => sum + count(m.content), 0);
  const systemTokens = count(system.content);
  const loreInSystem = [...(extras.loreBefore ?? []), ...(extras.loreAfter ?? []), ...(extras.examplesTop ?? []), ...(extras.examplesBottom ?? [])];
  const loreTokens = sum(loreInSystem.map(count)) + sum(inserts.filter((i) => i.kind === "lore").map((i) => count(i.content)));
  const memoryTokens = input.memory ? count(substituteMacros(input.memory, names)) : 0;
  const examplesTokens = examples > 0 ? count(exampleBlocks(character.exampleMessages).slice(0, examples).join("\n")) : 0;
  const noteTokens = sum(inserts.filter((i) => i.kind === "note").map((i) => count(i.content)));
  return {
    messages: [system, ...placeAtDepth([...kept, ...user], inserts)],
    promptTokens: used,
    historyMessagesUsed: kept.length,
    examplesUsed: examples,
    maxTokens: Math.max(1, Math.min(character.configuration.max_tokens, input.contextTokens - used)),
    budget,
    sections: {
      // The card, the main prompt and the notes: what is not lore, memory or examples.
      system: Math.max(0, systemTokens - sum(loreInSystem.map(count)) - memoryTokens - examplesTokens) + noteTokens,
      lore: loreTokens,
      memory: memoryTokens,
      examples: examplesTokens,
      history: historyTokens,
      message: userCost,
    },
  };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** World info at a depth, and the notes with the world info placed around the author's note. */
function depthInserts(lore: InsertedLoreEntry[], notes: DepthInsert[]): DepthInsert[] {
  const inserts: DepthInsert[] = lore
    .filter((entry) => entry.position === "at_depth")
    .map((entry) => ({ content: entry.content, depth: entry.depth, role: entry.role, kind: "lore" }));
  const [authorsNote, ...others] = notes;
  if (authorsNote) {
    // SillyTavern's "top/bottom of the author's note": one message with the note between them.
    const top = lore.filter((entry) => entry.position === "an_top").map((entry) => entry.content);
    const bottom = lore.filter((entry) => entry.position === "an_bottom").map((entry) => entry.content);
    if (top.length + bottom.length > 0) inserts.push({ ...authorsNote, content: [...top, ...bottom].join("\n"), kind: "lore" });
    if (authorsNote.content.trim()) inserts.push({ ...authorsNote, kind: "note" });
  }
  for (const note of others) if (note.content.trim()) inserts.push({ ...note, kind: "note" });
  return inserts;
}
