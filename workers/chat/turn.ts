import type { ReplyMetadata } from "../../shared/schemas/chat";
import type { Outcome } from "../api-error";
import type { LlmProvider } from "../llm/types";
import { substituteMacros } from "./macros";
import { buildPrompt, macroNames, type PastMessage, type PromptCharacter } from "./prompt";

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
}

export type NewMessage = Omit<StoredMessage, "id" | "timestamp" | "parent_id"> & { id?: string; client_id?: string };

/** What a turn needs from the conversation's storage. */
export interface TurnStore {
  /** The role and text of the newest messages of the active branch, oldest first. */
  recentTexts(limit: number): PastMessage[];
  /** Appends to the active branch, linked to its current head. */
  append(message: NewMessage, at: string): StoredMessage;
}

export interface TurnDeps {
  store: TurnStore;
  llm: LlmProvider | undefined;
  now: () => number;
  contextTokens: number;
  countMessageTokens: (content: string) => number;
}

/** A character as a turn sees it: the prompt's fields, plus the greeting a new session starts with. */
export type TurnCharacter = PromptCharacter & { id: string; firstMessage?: string };

export interface TurnInput {
  character: TurnCharacter;
  message: string;
  userName?: string;
  includeHistory: boolean;
  /** The reply's id, chosen up front so streamed chunks can name the message they build. */
  replyId: string;
  clientMessageId?: string;
  /** Aborting it cancels the reply: what was generated so far is kept, marked as cut short. */
  signal?: AbortSignal;
  /** Called once the user's message is stored, before the LLM is asked. */
  onUserMessage?: (message: StoredMessage) => void;
  /** Called with each text delta as the provider streams it. */
  onDelta?: (text: string) => void;
}

export interface TurnResult {
  /** The character's first message, when this turn opened the session with it. */
  greeting?: StoredMessage;
  user: StoredMessage;
  reply: StoredMessage;
  cancelled: boolean;
}

const HISTORY_WINDOW = 200;

// Generic on purpose: a provider's error text can name its internals; the logs keep it (Outcome.cause).
const LLM_FAILED = "The LLM provider failed; your message was stored without a reply";

/** confidence = exp(mean log-probability of the reply's tokens): the geometric mean token probability. */
export function confidenceFrom(logprobs: number[]): number | null {
  if (logprobs.length === 0) return null;
  const mean = logprobs.reduce((sum, lp) => sum + lp, 0) / logprobs.length;
  return Math.round(Math.exp(mean) * 10_000) / 10_000;
}

/**
 * The message a session starts with: the character's first message (macros substituted), if the
 * session has no messages yet and the character has one; else undefined.
 */
export function greetingFor(character: TurnCharacter, userName: string | undefined, sessionIsEmpty: boolean): string | undefined {
  const first = character.firstMessage?.trim();
  if (!sessionIsEmpty || !first) return undefined;
  return substituteMacros(first, macroNames(character, userName));
}

function promptRequest(deps: TurnDeps, input: TurnInput, history: PastMessage[]) {
  const prompt = buildPrompt({
    character: input.character,
    userName: input.userName,
    history,
    userMessage: input.message,
    contextTokens: deps.contextTokens,
    countMessageTokens: deps.countMessageTokens,
  });
  return { messages: prompt.messages, maxTokens: prompt.maxTokens };
}

/**
 * One turn: store the user's message, ask the LLM, store the reply. The user's message is kept
 * even if the LLM fails (nothing the user sent is lost); a failed or empty reply stores nothing.
 * A cancelled reply is stored as far as it got, with finish_reason "cancelled".
 */
export async function runTurn(deps: TurnDeps, input: TurnInput): Promise<Outcome<TurnResult>> {
  const started = deps.now();
  // A new session opens with the character's greeting, stored before the user's first message so
  // the history reads [greeting, user, reply] and the LLM sees what the character "said" first.
  const greetingText = greetingFor(input.character, input.userName, deps.store.recentTexts(1).length === 0);
  // A reply cancelled before its first token is stored empty; it tells the LLM nothing.
  const past: PastMessage[] = input.includeHistory ? deps.store.recentTexts(HISTORY_WINDOW).filter((m) => m.content !== "") : [];
  const history = greetingText !== undefined && input.includeHistory ? [...past, { role: "assistant" as const, content: greetingText }] : past;

  // The LLM is asked before anything is stored. A Durable Object's storage write holds its outgoing
  // messages until the write is durable (the output gate): storing first would put that wait before the
  // request. The request overlaps it instead; the turn's frames still wait for it, so no client sees a
  // reply to a message that was not stored, and the message is stored whatever the LLM answers.
  const events = deps.llm?.stream({
    ...promptRequest(deps, input, history),
    temperature: input.character.configuration.temperature,
    signal: input.signal,
  });
  const first = events?.next();
  first?.catch(() => undefined);

  const at = new Date(started).toISOString();
  const greeting =
    greetingText === undefined ? undefined : deps.store.append({ role: "assistant", content: greetingText, character_id: input.character.id }, at);
  const user = deps.store.append({ role: "user", content: input.message, character_id: input.character.id, client_id: input.clientMessageId }, at);
  input.onUserMessage?.(user);
  if (!deps.llm || !events || !first) {
    return {
      ok: false,
      code: "SERVICE_UNAVAILABLE",
      message: "No LLM provider is configured (set LLM_BASE_URL or bind Workers AI)",
      details: { user_message_id: user.id },
    };
  }

  let text = "";
  const logprobs: number[] = [];
  let usage: { promptTokens: number; completionTokens: number; totalTokens: number } | undefined;
  let finishReason: string | null = null;
  try {
    for (let next = await first; !next.done; next = await events.next()) {
      const event = next.value;
      if (event.type === "delta") {
        text += event.text;
        logprobs.push(...event.logprobs);
        input.onDelta?.(event.text);
      } else if (event.type === "usage") usage = event;
      else finishReason = event.reason;
    }
  } catch (error) {
    if (!input.signal?.aborted) {
      return { ok: false, code: "SERVICE_UNAVAILABLE", message: LLM_FAILED, details: { user_message_id: user.id }, cause: (error as Error).message };
    }
  }
  const cancelled = input.signal?.aborted ?? false;
  if (cancelled) finishReason = "cancelled";
  else if (text.trim() === "") {
    return { ok: false, code: "SERVICE_UNAVAILABLE", message: "The LLM provider returned an empty reply", details: { user_message_id: user.id } };
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
  };
  const reply = deps.store.append(
    { id: input.replyId, role: "assistant", content: text, character_id: input.character.id, metadata },
    new Date(finished).toISOString(),
  );
  return { ok: true, value: { ...(greeting ? { greeting } : {}), user, reply, cancelled } };
}
