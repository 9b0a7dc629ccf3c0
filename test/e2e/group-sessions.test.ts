/**
 * A group session against `npm start`, over its WebSocket: three characters, a message naming the
 * second, which answers first; every frame names its speaker; the history keeps them; and each
 * speaker's prompt (as the LLM emulator received it) holds its own card and world info, with the others
 * named as participants.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ChatacterClient } from "../../shared/client/index.js";
import { openSocket } from "./socket";

const baseUrl = inject("stackUrl");
const adminKey = inject("stackAdminKey");
const admin = new ChatacterClient(baseUrl, adminKey);
const llmUrl = inject("stackOutput").match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];
const wsUrl = `${baseUrl.replace(/^http/, "ws")}/api/v1/ws/chat`;

const MEMBERS = [
  { id: "e2e-group-iris", name: "Iris", description: "A lighthouse keeper who counts ships." },
  { id: "e2e-group-otto", name: "Otto", description: "A retired clockmaker with opinions." },
  { id: "e2e-group-wren", name: "Wren", description: "A botanist who whispers to ferns." },
];
// Otto's own lorebook: it fires on "tower" in Otto's prompt only.
const OTTO_LORE = "The old clock tower stopped at 3:17 on the night of the flood.";

type Prompt = { role: string; content: string }[];

async function post(path: string, body: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  const { id: lorebook } = await admin.lorebooks.create({ entries: { "0": { key: ["tower"], content: OTTO_LORE } } }, { name: "Otto's town" });
  for (const member of MEMBERS) {
    const body = { ...member, capabilities: ["text"], ...(member.name === "Otto" ? { lorebook_ids: [lorebook] } : {}) };
    const res = await post("/api/v1/characters", body);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }
});

describe("a group session over WebSocket, against npm start", () => {
  it("answers a message naming the second character with that character first, every frame naming its speaker", async () => {
    const created = await post("/api/v1/chat/sessions", { character_ids: MEMBERS.map((m) => m.id), strategy: "natural", session_id: "e2e-group" });
    expect(created.status).toBe(201);

    const client = openSocket(`${wsUrl}?session_id=e2e-group`, 30_000);
    const { ws, frames } = client;
    const until = client.whenFrames;
    await client.opened;
    client.send({ type: "auth", token: adminKey, session_id: "e2e-group" });
    await until((f) => f.some((frame) => frame.type === "authenticated"));

    const marker = `e2e-group-${Date.now()}`;
    ws.send(JSON.stringify({ type: "message", content: `Otto, is the tower clock still broken? (${marker})`, media: false }));
    // The draw decides who else answers: the user_message frame names them all, in order.
    await until((f) => f.some((frame) => frame.type === "user_message"));
    const announced: string[] = frames.find((frame) => frame.type === "user_message").speakers;
    expect(announced[0]).toBe("e2e-group-otto");
    await until((f) => f.filter((frame) => frame.type === "response").length === announced.length);
    const responses = frames.filter((frame) => frame.type === "response");
    expect(responses[0].character_id).toBe("e2e-group-otto");
    const speakers = responses.map((r) => r.character_id);
    expect(speakers).toEqual(announced);
    expect(new Set(speakers).size).toBe(speakers.length);

    for (const response of responses) {
      const own = frames.filter((frame) => frame.message_id === response.message_id && frame.type === "response_chunk");
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((frame) => frame.character_id === response.character_id)).toBe(true);
    }
    for (const typing of frames.filter((frame) => frame.type === "typing")) expect(speakers).toContain(typing.character_id);
    ws.close();

    const history = await admin.getHistory("e2e-group");
    expect(history.messages.map((m) => [m.role, m.role === "assistant" ? m.character_id : "user"])).toEqual([
      ["user", "user"],
      ...speakers.map((id) => ["assistant", id]),
    ]);

    // Each speaker's prompt: its own card and world info, the others named as participants.
    const requests = (await (await fetch(`${llmUrl}/__emulator/requests`)).json()) as { messages: Prompt }[];
    // The speakers' prompts (memory's background prompts about the same exchange are not theirs).
    const prompts = requests
      .map((r) => r.messages)
      .filter((messages) => messages[0]!.content.includes("group conversation between") && messages.some((m) => m.content.includes(marker)));
    expect(prompts).toHaveLength(speakers.length);
    for (const [i, id] of speakers.entries()) {
      const member = MEMBERS.find((m) => m.id === id)!;
      const others = MEMBERS.filter((m) => m.id !== id).map((m) => m.name);
      const system = prompts[i]![0]!.content;
      expect(system).toContain(`You are ${member.name}.`);
      expect(system).toContain(member.description);
      for (const other of MEMBERS.filter((m) => m.id !== id)) expect(system).not.toContain(other.description);
      expect(system).toContain(`group conversation between User, ${member.name} and ${others.join(", ")}`);
      expect(prompts[i]!.some((m) => m.content.includes(OTTO_LORE))).toBe(member.name === "Otto");
      // The replies before this one are in its history, each with its speaker's name.
      const earlier = prompts[i]!.filter((m) => m.role === "assistant").map((m) => m.content.split(":")[0]);
      expect(earlier).toEqual(speakers.slice(0, i).map((s) => MEMBERS.find((m) => m.id === s)!.name));
    }
  });
});
