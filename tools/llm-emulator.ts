/**
 * A local stand-in for an OpenAI-compatible LLM: /v1/models and /v1/chat/completions, streamed (SSE with
 * usage and log-probabilities) or not. Replies are deterministic, so tests can assert on them.
 * A marker in the last user message (or in the system prompt, e.g. through the user's name, which is
 * how a test makes a regeneration fail) injects a fault: [[fail]] (HTTP 500), [[hang]] (never answers),
 * [[garbage]] (non-JSON chunks), [[cut]] (stream ends without [DONE]), [[empty]] (no content),
 * [[slow:N]] (N ms between tokens), [[hold:TAG]] (the stream waits before its last token until
 * POST /__emulator/release?tag=TAG: a test can see what happens while a reply still streams, with no
 * race; the tag keeps test files that run at once from releasing each other's holds).
 * GET /__emulator/timings tells when each completion request arrived and when its first token left, in
 * epoch ms with sub-ms resolution, so a benchmark on the same machine can split a turn's latency.
 * Memory's background prompts (fact extraction, rolling summary) get rule-based answers
 * (emulated-memory.ts), and POST /v1/embeddings answers hashed bag-of-words vectors (emulated-embeddings.ts),
 * with the same [[fail]] and [[hang]] markers in any input, and [[embed-fail]], which fails embeddings only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sleep } from "../shared/sleep.ts";
import { EMULATED_EMBEDDING_DIMS, emulatedEmbedding } from "./emulated-embeddings.ts";
import { memoryReplyFor } from "./emulated-memory.ts";

interface EmbeddingsRequest {
  model?: string;
  input?: unknown;
}

interface ChatRequest {
  model?: string;
  messages?: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  logprobs?: boolean;
}

export interface LlmEmulatorOptions {
  port?: number;
  /** Delay between streamed tokens, in ms (default 0: an instant LLM). */
  tokenDelayMs?: number;
}

/** One streamed completion, as the emulator saw it: did the client hang up before the end? */
export interface StreamRecord {
  lastUserMessage: string;
  tokensSent: number;
  tokensTotal: number;
  closedEarly: boolean;
}

/** When a completion request arrived and its first token (or whole answer) was written, epoch ms. */
interface RequestTiming {
  lastUserMessage: string;
  receivedAt: number;
  firstTokenAt: number | null;
}

export interface RunningEmulator {
  url: string;
  port: number;
  streams: StreamRecord[];
  /** Request bodies received, newest last (at most 500), so tests can check what the prompt held. */
  requests: ChatRequest[];
  /** Embeddings request bodies, newest last (at most 500). */
  embeddingRequests: EmbeddingsRequest[];
  close(): Promise<void>;
}

// performance.now() is monotonic and sub-ms; with timeOrigin it lines up with the same clock in other Node processes.
const epochMs = () => performance.timeOrigin + performance.now();

const roughTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
/** Listed by /v1/models; any requested model name is answered (and echoed) all the same. */
const EMBEDDINGS_MODEL = `emulator-embeddings-${EMULATED_EMBEDDING_DIMS}`;

export function replyFor(request: ChatRequest): string {
  const messages = request.messages ?? [];
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const last = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const name = system.match(/The user's name is ([^.\n]+)\./)?.[1];
  const earlier = messages.filter((m) => m.role !== "system").length - 1;
  const echoed = last.length > 600 ? `${last.slice(0, 600)}...` : last;
  return `Hello${name ? ` ${name}` : ""}! You said: "${echoed}". I can see ${earlier} earlier messages.`;
}

/** A stream waiting before its last token ([[hold:TAG]]). */
interface Held {
  tag: string;
  release: () => void;
}

const tokensOf = (text: string) => text.match(/\S+\s*|\s+/g) ?? [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

async function completions(
  req: IncomingMessage,
  res: ServerResponse,
  options: Required<LlmEmulatorOptions>,
  log: ChatRequest[],
  streams: StreamRecord[],
  timings: RequestTiming[],
  held: Set<Held>,
) {
  const receivedAt = epochMs();
  let request: ChatRequest;
  try {
    request = JSON.parse(await readBody(req)) as ChatRequest;
  } catch {
    return json(res, 400, { error: { message: "invalid JSON", type: "invalid_request_error" } });
  }
  log.push(request);
  if (log.length > 500) log.shift();
  const last = [...(request.messages ?? [])].reverse().find((m) => m.role === "user")?.content ?? "";
  const timing: RequestTiming = { lastUserMessage: last, receivedAt, firstTokenAt: null };
  timings.push(timing);
  if (timings.length > 500) timings.shift();
  const system = request.messages?.find((m) => m.role === "system")?.content ?? "";
  const faults = `${last}\n${system}`;
  if (faults.includes("[[fail]]")) return json(res, 500, { error: { message: "emulated upstream failure", type: "server_error" } });
  if (faults.includes("[[hang]]")) return; // never answers: the caller's timeout must fire
  const delay = Number(faults.match(/\[\[slow:(\d+)\]\]/)?.[1] ?? options.tokenDelayMs);
  // A memory prompt answers its own way, [[garbage]] included (non-JSON content rather than a broken stream).
  const memoryReply = memoryReplyFor(request.messages ?? []);
  const text = last.includes("[[empty]]") ? "" : (memoryReply ?? replyFor(request));
  const tokens = tokensOf(text);
  const promptTokens = roughTokens((request.messages ?? []).map((m) => m.content).join(" "));
  const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const model = request.model ?? "emulator";
  // Longer tokens get lower log-probabilities, so `confidence` varies with the reply as it would upstream.
  const logprobs = (token: string) => (request.logprobs ? { content: [{ token, logprob: -0.01 * token.length, top_logprobs: [] }] } : null);

  if (!request.stream) {
    timing.firstTokenAt = epochMs();
    return json(res, 200, {
      id,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage,
    });
  }

  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  const send = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  const chunk = (delta: object, finish: string | null, lp: object | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: lp }],
  });
  const record: StreamRecord = { lastUserMessage: last, tokensSent: 0, tokensTotal: tokens.length, closedEarly: false };
  streams.push(record);
  if (streams.length > 500) streams.shift();
  let closed = false;
  res.on("close", () => {
    closed = true;
    if (!res.writableFinished) record.closedEarly = true;
  });
  if (memoryReply === undefined && last.includes("[[garbage]]")) {
    send("{this is not json");
    return res.end();
  }
  send(chunk({ role: "assistant", content: "" }, null));
  for (const [i, token] of tokens.entries()) {
    if (closed) return;
    if (delay > 0) await sleep(delay);
    const hold = last.match(/\[\[hold(?::([\w-]+))?\]\]/);
    if (i === tokens.length - 1 && hold) await new Promise<void>((release) => held.add({ tag: hold[1] ?? "", release }));
    if (closed) return;
    send(chunk({ content: token }, null, logprobs(token)));
    timing.firstTokenAt ??= epochMs();
    record.tokensSent++;
    if (last.includes("[[cut]]") && i >= 1) return res.end();
  }
  send(chunk({}, "stop"));
  if (request.stream_options?.include_usage) send({ id, object: "chat.completion.chunk", model, choices: [], usage });
  send("[DONE]");
  res.end();
}

/** OpenAI's POST /v1/embeddings: `input` is one string or a list; vectors come back with their index. */
async function embeddings(req: IncomingMessage, res: ServerResponse, log: EmbeddingsRequest[]) {
  let request: EmbeddingsRequest;
  try {
    request = JSON.parse(await readBody(req)) as EmbeddingsRequest;
  } catch {
    return json(res, 400, { error: { message: "invalid JSON", type: "invalid_request_error" } });
  }
  log.push(request);
  if (log.length > 500) log.shift();
  const input = typeof request.input === "string" ? [request.input] : request.input;
  if (!Array.isArray(input) || !input.every((text) => typeof text === "string")) {
    return json(res, 400, { error: { message: "input must be a string or a list of strings", type: "invalid_request_error" } });
  }
  // [[embed-fail]] fails the embeddings alone, so a chat turn with it still gets its reply.
  if (input.some((text) => text.includes("[[fail]]") || text.includes("[[embed-fail]]")))
    return json(res, 500, { error: { message: "emulated upstream failure", type: "server_error" } });
  if (input.some((text) => text.includes("[[hang]]"))) return; // never answers: the caller's timeout must fire
  const tokens = input.reduce((sum, text) => sum + roughTokens(text), 0);
  json(res, 200, {
    object: "list",
    data: input.map((text, index) => ({ object: "embedding", index, embedding: emulatedEmbedding(text) })),
    model: request.model ?? EMBEDDINGS_MODEL,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

export function startLlmEmulator(options: LlmEmulatorOptions = {}): Promise<RunningEmulator> {
  const settings = { port: options.port ?? 0, tokenDelayMs: options.tokenDelayMs ?? 0 };
  const requests: ChatRequest[] = [];
  const streams: StreamRecord[] = [];
  const timings: RequestTiming[] = [];
  const embeddingRequests: EmbeddingsRequest[] = [];
  const held = new Set<Held>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    // For tests running elsewhere (inside workerd): what happened to each stream.
    if (req.method === "GET" && path === "/__emulator/streams") return json(res, 200, streams);
    // The request bodies (newest last), so tests inside workerd can check the whole prompt.
    if (req.method === "GET" && path === "/__emulator/requests") return json(res, 200, requests);
    if (req.method === "GET" && path === "/__emulator/embeddings") return json(res, 200, embeddingRequests);
    // `now` lets a benchmark check that its clock and this process's agree before subtracting across them.
    if (req.method === "GET" && path === "/__emulator/timings") return json(res, 200, { now: epochMs(), timings });
    if (req.method === "POST" && path === "/__emulator/release") {
      const tag = new URL(req.url ?? "/", "http://localhost").searchParams.get("tag");
      const released = [...held].filter((hold) => tag === null || hold.tag === tag);
      for (const hold of released) {
        held.delete(hold);
        hold.release();
      }
      return json(res, 200, { released: released.length });
    }
    if (req.method === "GET" && path === "/v1/models") {
      // Every model owned_by "chatacter": that is how the health probe tells the emulator from a real LLM.
      const models = ["emulator", EMBEDDINGS_MODEL].map((id) => ({ id, object: "model", owned_by: "chatacter" }));
      return json(res, 200, { object: "list", data: models });
    }
    if (req.method === "POST" && path === "/v1/embeddings") {
      embeddings(req, res, embeddingRequests).catch((error) => json(res, 500, { error: { message: String(error) } }));
      return;
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      completions(req, res, settings, requests, streams, timings, held).catch((error) => json(res, 500, { error: { message: String(error) } }));
      return;
    }
    json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  });
  return new Promise((resolve) => {
    server.listen(settings.port, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        port,
        requests,
        streams,
        embeddingRequests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.LLM_EMULATOR_PORT ?? 8010);
  const emulator = await startLlmEmulator({ port, tokenDelayMs: Number(process.env.LLM_EMULATOR_TOKEN_DELAY_MS ?? 15) });
  console.log(`LLM emulator (OpenAI-compatible) on ${emulator.url}`);
}
