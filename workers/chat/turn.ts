import type { ReplyMetadata } from "../../shared/schemas/chat";
import type { Outcome } from "../api-error";
import type { LlmProvider } from "../llm/types";
import type { CharacterRow } from "../db/schema";
import { substituteMacros } from "./macros";
import { buildPrompt, macroNames, promptBudget, type Prompt, type PromptCharacter } from "./prompt";
import { continuationJoint, GROUP_NUDGE, planTurn, type Attach, type PlanStore, type TurnAction, type TurnPlan } from "./turn-plan";
import type { DepthInsert } from "./depth-inserts";
import type { ActivationResult, LoreTimelineRecord } from "../lore/activation-types";
import type { PreparedLore } from "../lore/prepare";
import { activateFor, loreEntryId } from "./turn-lore";
import { fitMemory, type MemoryRecall, type PromptMemoryItem } from "../memory/prompt-memory";
import type { PastMessage } from "./prompt";

/** Media of a reply: URLs, plus status fields while jobs run. */
export type MessageMedia = Record<string, string | number | boolean | null>;

export interface StoredMessage {
  id: string;
  parent_id: string | null;
  role: "user" | "assistant";
  content: string;
  character_id: string;
  timestamp: string;
  metadata?: ReplyMetadata;
  media?: MessageMedia;
  /** Its place among the messages that share its parent (creation order, 0-based), when read back. */
  sibling_index?: number;
  sibling_count?: number;
}

/** A message read back from storage: it knows its place among its siblings. */
export type PlacedMessage = StoredMessage & Required<Pick<StoredMessage, "sibling_index" | "sibling_count">>;

export type NewMessage = Omit<StoredMessage, "id" | "timestamp" | "parent_id" | "sibling_index" | "sibling_count"> & {
  id?: string;
  client_id?: string;
  /** What the world info left for the turns after this reply (timed effects), kept with it. */
  lore_state?: LoreTimelineRecord;
};

/** What a turn needs from the conversation's storage. */
export interface TurnStore extends PlanStore {
  /** World-info records of the replies on the active branch before `index` (the latest few suffice). */
  loreTimeline(index: number): LoreTimelineRecord[];
  /** Appends to the active branch, under its leaf. */
  append(message: NewMessage, at: string): StoredMessage;
  /** A new child of `parentId` (on the active branch; null: a new root) that becomes the active leaf. */
  branchFrom(parentId: string | null, message: NewMessage, at: string): StoredMessage;
  /** Opens an empty session: the first greeting is active, the others are its siblings. */
  openWith(greetings: NewMessage[], at: string): StoredMessage;
}

export interface TurnDeps {
  store: TurnStore;
  llm: LlmProvider | undefined;
  now: () => number;
  contextTokens: number;
  countMessageTokens: (content: string) => number;
}

/** A character as a turn sees it: the prompt's fields, plus the greetings a new session starts with. */
export type TurnCharacter = PromptCharacter & { id: string; firstMessage?: string; alternateGreetings?: string[] };

export const toTurnCharacter = (row: CharacterRow): TurnCharacter => ({
  id: row.id,
  name: row.name,
  description: row.description,
  personality: row.personality,
  configuration: row.configuration,
  nickname: row.nickname,
  scenario: row.scenario,
  exampleMessages: row.exampleMessages,
  postHistoryInstructions: row.postHistoryInstructions,
  firstMessage: row.firstMessage,
  alternateGreetings: row.alternateGreetings,
});

export interface TurnInput {
  character: TurnCharacter;
  action: TurnAction;
  userName?: string;
  includeHistory: boolean;
  /** The reply's id, chosen up front so streamed chunks can name the message they build. */
  replyId: string;
  /** Kept on the message the turn makes (the user's, or the reply when there is none), so a re-sent frame is not run twice. */
  clientMessageId?: string;
  /** Aborting it cancels the reply: what was generated so far is kept, marked as cut short. */
  signal?: AbortSignal;
  /** Called once the user's message is stored, before the LLM is asked. */
  onUserMessage?: (message: StoredMessage) => void;
  /** Called once generation starts (after any user message is stored). */
  onGenerating?: () => void;
  /** Called with each text delta as the provider streams it (for `continue`, first the text it continues). */
  onDelta?: (text: string) => void;
  /** World info and notes: the session's prepared books (card, character, session) and its depth notes. */
  lore?: TurnLore;
  /** What the user's memory offers this turn (recalled before the prompt is built). */
  memory?: MemoryRecall;
  /** A group session's members (the speaker among them): the prompt names the others and each line's speaker. */
  group?: { members: { id: string; name: string }[] };
}

export interface TurnLore {
  books: PreparedLore;
  notes: DepthInsert[];
}

export interface TurnResult {
  /** The character's first message, when this turn opened the session with it. */
  greeting?: StoredMessage;
  /** The user message this turn stored (a new or an edited one). */
  user?: StoredMessage;
  reply: StoredMessage;
  cancelled: boolean;
  /** History the prompt had no room for, oldest first: what a rolling summary should cover. */
  droppedHistory: PastMessage[];
}

const HISTORY_WINDOW = 200;

/** confidence = exp(mean log-probability of the reply's tokens): the geometric mean token probability. */
export function confidenceFrom(logprobs: number[]): number | null {
  if (logprobs.length === 0) return null;
  const mean = logprobs.reduce((sum, lp) => sum + lp, 0) / logprobs.length;
  return Math.round(Math.exp(mean) * 10_000) / 10_000;
}

/**
 * The messages a session starts with: the character's first message, then each alternate greeting as
 * its sibling (macros substituted, blank ones left out), if the session has no messages yet; else none.
 */
export function greetingsFor(character: TurnCharacter, userName: string | undefined, sessionIsEmpty: boolean): string[] {
  if (!sessionIsEmpty) return [];
  const names = macroNames(character, userName);
  return [character.firstMessage ?? "", ...(character.alternateGreetings ?? [])]
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => substituteMacros(text, names));
}

// Generic on purpose: a provider's error text can name its internals; the logs keep it (Outcome.cause).
const failed = (action: TurnAction, why: string) =>
  action.kind === "message" || action.kind === "edit"
    ? `${why}; your message was stored without a reply`
    : `${why}; nothing was stored and the active branch is unchanged`;

/** A turn's prompt, and what went into it: the one assembly the turn, the context preview and the token accounting share. */
export interface AssembledPrompt {
  plan: TurnPlan;
  /** The greetings a new session opens with (stored before the user's message). */
  greetings: string[];
  /** The world info that fired, when the session has books. */
  lore: ActivationResult | undefined;
  /** What memory put in the prompt, and why recall was skipped if it was. */
  memory: { used: PromptMemoryItem[]; degraded?: string };
  prompt: Prompt;
  droppedHistory: PastMessage[];
}

/**
 * Plans the action against the tree as it is now, and builds the prompt: the history above the text
 * it answers (after a new session's greeting), the world info that text and that history fire, the
 * notes. Stores nothing, asks no LLM.
 */
export function assembleTurnPrompt(deps: Omit<TurnDeps, "llm" | "now">, input: TurnInput): Outcome<AssembledPrompt> {
  const planned = planTurn(deps.store, input.action, HISTORY_WINDOW, input.includeHistory);
  if (!planned.ok) return planned;
  const plan = planned.value;
  // A new session opens with the character's greetings, stored before the user's first message so the
  // history reads [greeting, user, reply] and the LLM sees what the character "said" first.
  const greetings = input.action.kind === "message" ? greetingsFor(input.character, input.userName, deps.store.count() === 0) : [];
  // A reply cancelled before its first token is stored empty; it tells the LLM nothing.
  const past = plan.history.filter((m) => m.content !== "");
  const opened =
    greetings.length > 0 && input.includeHistory ? [...past, { role: "assistant" as const, content: greetings[0]!, character_id: input.character.id }] : past;
  const history = input.group ? namedLines(opened, input.group.members) : opened;
  // A group speaker after another character (or a regenerated reply to one) answers the group nudge.
  const promptText = plan.promptText === undefined && input.group ? GROUP_NUDGE : plan.promptText;
  const userMessage = promptText === GROUP_NUDGE ? substituteMacros(GROUP_NUDGE, macroNames(input.character, input.userName)) : promptText;
  const lore = activateFor(deps, input, history, plan.promptText, plan.index + (greetings.length > 0 ? 1 : 0));
  const memory = fitMemory(input.memory, {
    budget: promptBudget(input.character, deps.contextTokens),
    count: deps.countMessageTokens,
    inPrompt: new Set(history.flatMap((m) => (m.id ? [m.id] : []))),
  });
  const prompt = buildPrompt({
    character: input.character,
    userName: input.userName,
    history,
    userMessage,
    contextTokens: deps.contextTokens,
    countMessageTokens: deps.countMessageTokens,
    lore: lore?.entries,
    notes: input.lore?.notes,
    memory: memory.text,
    participants: input.group?.members.filter((member) => member.id !== input.character.id).map((member) => member.name),
  });
  const droppedHistory = history.slice(0, history.length - prompt.historyMessagesUsed);
  const memoryUsed = { used: memory.used, ...(input.memory?.degraded ? { degraded: input.memory.degraded } : {}) };
  return { ok: true, value: { plan, greetings, lore, memory: memoryUsed, prompt, droppedHistory } };
}

/**
 * One turn: store the user's message (if the action makes one), ask the LLM, store the reply where the
 * plan says. The user's message is kept even if the LLM fails (nothing the user sent is lost); a failed
 * or empty reply stores nothing, so a failed regeneration leaves the old reply active. A cancelled
 * reply is stored as far as it got, with finish_reason "cancelled".
 */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<Outcome<TurnResult>> {
  const started = deps.now();
  const { action } = input;
  const assembled = assembleTurnPrompt(deps, input);
  if (!assembled.ok) return assembled;
  const { plan, greetings, lore, prompt, memory, droppedHistory } = assembled.value;

  // The LLM is asked before anything is stored. A Durable Object's storage write holds its outgoing
  // messages until the write is durable (the output gate): storing first would put that wait before the
  // request. The request overlaps it instead; the turn's frames still wait for it, so no client sees a
  // reply to a message that was not stored, and the message is stored whatever the LLM answers.
  const events = deps.llm?.stream({
    messages: prompt.messages,
    maxTokens: prompt.maxTokens,
    temperature: input.character.configuration.temperature,
    signal: input.signal,
  });
  const first = events?.next();
  first?.catch(() => undefined);

  const at = new Date(started).toISOString();
  const characterId = input.character.id;
  const greeting =
    greetings.length === 0
      ? undefined
      : deps.store.openWith(
          greetings.map((content) => ({ role: "assistant", content, character_id: characterId })),
          at,
        );
  const user = plan.user
    ? attach(deps.store, plan.user.attach, { role: "user", content: plan.user.content, character_id: characterId, client_id: input.clientMessageId }, at)
    : undefined;
  if (user) input.onUserMessage?.(user);
  const details = user ? { user_message_id: user.id } : undefined;
  if (!deps.llm || !events || !first) {
    return { ok: false, code: "SERVICE_UNAVAILABLE", message: "No LLM provider is configured (set LLM_BASE_URL or bind Workers AI)", details };
  }
  input.onGenerating?.();

  let text = "";
  if (plan.prefix !== undefined) input.onDelta?.(plan.prefix);
  const logprobs: number[] = [];
  let usage: { promptTokens: number; completionTokens: number; totalTokens: number } | undefined;
  let finishReason: string | null = null;
  try {
    for (let next = await first; !next.done; next = await events.next()) {
      const event = next.value;
      if (event.type === "delta") {
        // A continuation's first words are joined to the text it continues.
        const delta = text === "" && plan.prefix !== undefined ? continuationJoint(plan.prefix, event.text) + event.text : event.text;
        text += delta;
        logprobs.push(...event.logprobs);
        input.onDelta?.(delta);
      } else if (event.type === "usage") usage = event;
      else finishReason = event.reason;
    }
  } catch (error) {
    if (!input.signal?.aborted) {
      return { ok: false, code: "SERVICE_UNAVAILABLE", message: failed(action, "The LLM provider failed"), details, cause: (error as Error).message };
    }
  }
  const cancelled = input.signal?.aborted ?? false;
  if (cancelled) finishReason = "cancelled";
  else if (text.trim() === "") {
    return { ok: false, code: "SERVICE_UNAVAILABLE", message: failed(action, "The LLM provider returned an empty reply"), details };
  }

  const finished = deps.now();
  const metadata: ReplyMetadata = {
    tokens_used: usage?.totalTokens ?? null,
    prompt_tokens: usage?.promptTokens ?? null,
    completion_tokens: usage?.completionTokens ?? null,
    response_time_ms: Math.round(finished - started),
    confidence: confidenceFrom(logprobs),
    model: deps.llm.model,
    provider: deps.llm.name,
    finish_reason: finishReason,
    lore_entries: lore ? lore.entries.map((entry) => loreEntryId(entry)) : [],
    memories: memory.used.map(({ id, kind, score }) => ({ id, kind, score })),
  };
  const reply = attach(
    deps.store,
    plan.reply,
    {
      id: input.replyId,
      role: "assistant",
      content: (plan.prefix ?? "") + text,
      character_id: characterId,
      metadata,
      ...(lore ? { lore_state: lore.timeline } : {}),
      // Without a user message, the reply carries the frame's id, so a re-sent frame finds it.
      ...(user ? {} : { client_id: input.clientMessageId }),
    },
    new Date(finished).toISOString(),
  );
  return { ok: true, value: { ...(greeting ? { greeting } : {}), ...(user ? { user } : {}), reply, cancelled, droppedHistory } };
}

/** A group's history: each character's line starts with its speaker's name, so every speaker knows who said what. */
function namedLines(history: PastMessage[], members: { id: string; name: string }[]): PastMessage[] {
  const names = new Map(members.map((member) => [member.id, member.name]));
  return history.map((line) =>
    line.role === "assistant" && line.character_id ? { ...line, content: `${names.get(line.character_id) ?? line.character_id}: ${line.content}` } : line,
  );
}

function attach(store: TurnStore, where: Attach, message: NewMessage, at: string): StoredMessage {
  return where === "leaf" ? store.append(message, at) : store.branchFrom(where.parentId, message, at);
}
