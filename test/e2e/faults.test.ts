/**
 * The fault suite: the real `npm start` stack under concurrent load, a misbehaving LLM and a restart,
 * checking that nothing a client was told was accepted is lost or doubled. Loopback only, bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatacterClient, ChatacterError } from "../../shared/client/index.js";
import { startStack, type Stack } from "../../tools/stack.ts";

const CLIENTS = 20;
const TURNS_EACH = 50;
const SESSIONS = 10;

let stack: Stack;
let client: ChatacterClient;
const report: Record<string, number> = {};

// A text-only character: the load here is chat turns, not the GPU work a speaking character starts.
const CHARACTER = "plain";

beforeAll(async () => {
  stack = await startStack({ LLM_EMULATOR_TOKEN_DELAY_MS: "0", LLM_TIMEOUT_MS: "1500", RATE_LIMIT_PER_MINUTE: "0" });
  client = new ChatacterClient(stack.baseUrl, stack.adminKey);
  await client.createCharacter({ id: CHARACTER, name: "Plain", capabilities: ["text"] });
});
afterAll(async () => {
  await stack?.stop();
  console.log(`fault suite: ${JSON.stringify(report)}`);
});

/** Each accepted user message once, each answered one directly after it, each client's order kept. */
async function expectConsistent(sessionId: string, accepted: Map<string, { content: string; answered: boolean }[]>) {
  const history = [];
  for (let offset = 0; ; offset += 200) {
    const page = await client.getHistory(sessionId, { limit: 200, offset });
    history.push(...page.messages);
    if (!page.has_more) break;
  }
  const users = history.filter((m) => m.role === "user");
  expect(new Set(users.map((m) => m.content)).size).toBe(users.length);
  for (const [i, message] of history.entries()) {
    if (message.role === "assistant") {
      expect(history[i - 1]!.role).toBe("user");
      expect(message.parent_id).toBe(history[i - 1]!.id);
    }
  }
  for (const [, sent] of accepted) {
    const positions = sent.map((s) => users.findIndex((u) => u.content === s.content));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const s of sent) {
      const at = history.findIndex((m) => m.role === "user" && m.content === s.content);
      expect(history[at + 1]?.role === "assistant", `${s.content} answered=${s.answered}`).toBe(s.answered);
    }
  }
  return history.length;
}

describe("fault suite", () => {
  it(`${CLIENTS * TURNS_EACH} turns from ${CLIENTS} concurrent clients over HTTP and WebSocket lose nothing`, async () => {
    const perSession = new Map<string, Map<string, { content: string; answered: boolean }[]>>();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const sessionId = `load-${c % SESSIONS}`;
        const sent: { content: string; answered: boolean }[] = [];
        if (!perSession.has(sessionId)) perSession.set(sessionId, new Map());
        perSession.get(sessionId)!.set(`client-${c}`, sent);
        const socket = c % 2 === 0 ? client.connect({ sessionId }) : undefined;
        for (let t = 0; t < TURNS_EACH; t++) {
          const content = `client ${c} turn ${t}`;
          const reply = socket
            ? await socket.send(content, { characterId: CHARACTER })
            : await client.sendMessage(content, CHARACTER, sessionId).then((r) => ({ content: r.response }));
          expect(reply.content).toContain(`"${content}"`);
          sent.push({ content, answered: true });
        }
        socket?.close();
      }),
    );
    let stored = 0;
    for (const [sessionId, accepted] of perSession) stored += await expectConsistent(sessionId, accepted);
    expect(stored).toBe(CLIENTS * TURNS_EACH * 2);
    report.turns = CLIENTS * TURNS_EACH;
    report.messagesStored = stored;
  }, 240_000);

  it("an LLM that fails, hangs, cuts or garbles a share of calls: a reply or SERVICE_UNAVAILABLE, never a hang", async () => {
    const faults = ["[[fail]]", "[[hang]]", "[[cut]]", "[[garbage]]", "[[empty]]"];
    const accepted = new Map<string, { content: string; answered: boolean }[]>();
    let injected = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        const sent: { content: string; answered: boolean }[] = [];
        accepted.set(`client-${c}`, sent);
        for (let t = 0; t < 15; t++) {
          // A fixed pattern: every third call misbehaves, cycling through the faults.
          const fault = (c + t) % 3 === 0 ? faults[(c + t) % faults.length]! : "";
          if (fault) injected++;
          const content = `faulty ${c}/${t} ${fault}`.trim();
          const started = Date.now();
          const outcome = await client.sendMessage(content, CHARACTER, "faulty-llm").then(
            () => "reply",
            (e: unknown) => (e instanceof ChatacterError ? e.code : String(e)),
          );
          expect(Date.now() - started).toBeLessThan(15_000);
          expect(outcome).toBe(fault ? "SERVICE_UNAVAILABLE" : "reply");
          sent.push({ content, answered: !fault });
        }
      }),
    );
    await expectConsistent("faulty-llm", accepted);
    report.llmFaultsInjected = injected;
  }, 240_000);

  it("history survives a restart of the stack between turns", async () => {
    const before = await client.sendMessage("before the restart", CHARACTER, "survivor");
    const voice = await client.generateVoice({ text: "Keep me through a restart.", character_id: "assistant" }, 30);
    expect(voice.audio_url).toMatch(/^\/assets\/audio\//);
    await stack.stop({ keepState: true });
    stack = await startStack({ LLM_EMULATOR_TOKEN_DELAY_MS: "0", LLM_TIMEOUT_MS: "1500", RATE_LIMIT_PER_MINUTE: "0" }, { persistDir: stack.persistDir });
    client = new ChatacterClient(stack.baseUrl, stack.adminKey);
    const history = await client.getHistory("survivor");
    expect(history.messages.map((m) => m.id)).toEqual([before.user_message_id, before.message_id]);
    const after = await client.sendMessage("after the restart", CHARACTER, "survivor");
    expect(after.response).toContain("I can see 2 earlier messages");
    expect((await client.getHistory("load-0")).total_count).toBe(TURNS_EACH * 2 * 2);
    // The media record and its file are still there.
    const job = await client.getMediaStatus(voice.request_id as string);
    expect(job.status).toBe("completed");
    const file = await fetch(`${stack.baseUrl}${voice.audio_url}`);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(voice.file_size_bytes);
    report.restarts = 1;
  }, 240_000);
});
