import { describe, expect, inject, it } from "vitest";

/** The reference's JavaScript SDK example, as a user would paste it. */
class ChatacterClient {
  constructor(
    private baseUrl = "http://localhost:8000",
    private apiKey: string | null = null,
  ) {}

  async sendMessage(message: string, characterId = "assistant", sessionId: string | null = null) {
    const response = await fetch(`${this.baseUrl}/api/v1/chat/message`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ message, character_id: characterId, session_id: sessionId }),
    });
    return response.json() as Promise<any>;
  }

  async getCharacters() {
    const response = await fetch(`${this.baseUrl}/api/v1/characters`, { headers: { Authorization: `Bearer ${this.apiKey}` } });
    return response.json() as Promise<any>;
  }
}

const stack = { baseUrl: inject("stackUrl"), adminKey: inject("stackAdminKey"), output: () => inject("stackOutput") };

describe("npm start, driven like the reference's SDK examples", () => {
  it("says at start-up that the LLM is emulated and which admin key to use", () => {
    expect(stack.output()).toContain("LLM EMULATOR");
    expect(stack.output()).toContain("Chattr API: http://localhost:");
  });

  it("runs the JavaScript SDK example with a key the admin created", async () => {
    const created = await fetch(`${stack.baseUrl}/api/v1/keys`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify({ name: "sdk example", scopes: ["chat"] }),
    }).then((r) => r.json() as Promise<any>);
    const client = new ChatacterClient(stack.baseUrl, created.key);

    const characters = await client.getCharacters();
    // The seeded characters (other tests of this stack add their own beside them).
    expect(characters.characters.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(["assistant", "creative"]));

    const response = await client.sendMessage("Hello!", "assistant", "my-session");
    expect(response.response).toContain('You said: "Hello!"');
    expect(response.session_id).toBe("my-session");

    const history = await fetch(`${stack.baseUrl}/api/v1/chat/history/my-session?limit=1&offset=1`, {
      headers: { Authorization: `Bearer ${created.key}` },
    }).then((r) => r.json() as Promise<any>);
    expect(history).toMatchObject({ session_id: "my-session", total_count: 2, has_more: false });
    expect(history.messages[0]).toMatchObject({ role: "assistant", content: response.response });
  });

  it("runs the Python SDK example's request: a null session_id starts a session", async () => {
    // requests.post(json=...) with session_id=None sends "session_id": null.
    const res = await fetch(`${stack.baseUrl}/api/v1/chat/message`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.adminKey}` },
      body: JSON.stringify({ message: "Hello!", character_id: "assistant", session_id: null }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.session_id).toMatch(/^sess_/);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
  });

  it("answers errors with the documented JSON body", async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/chat/message`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer wrong" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toMatchObject({ code: "UNAUTHORIZED", request_id: res.headers.get("X-Request-Id") });
  });
});
