import { env } from "../support/env";
import { describe, expect, it } from "vitest";
import { api, createKey, send } from "../support/api";

describe("API keys", () => {
  it("creates a key shown once and stores only its hash", async () => {
    const res = await api("POST", "/api/v1/keys", { body: { name: "web app", scopes: ["chat"] } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: expect.stringMatching(/^key_/), name: "web app", scopes: ["chat"] });
    expect(res.json.key).toMatch(/^chk_[A-Za-z0-9]{32}$/);
    const dump = JSON.stringify(await env.DB.prepare("SELECT * FROM api_keys").all());
    expect(dump).not.toContain(res.json.key);
    expect(dump).toContain(res.json.id);

    const listed = await api("GET", "/api/v1/keys");
    const entry = listed.json.keys.find((k: any) => k.id === res.json.id);
    expect(entry).toMatchObject({ name: "web app", scopes: ["chat"], revoked_at: null, prefix: res.json.key.slice(0, 10) });
    expect(JSON.stringify(listed.json)).not.toContain(res.json.key);
  });

  it("revokes a key: it stops working at once", async () => {
    const { id, key } = await createKey();
    expect((await send({ message: "hi", session_id: "revoked-owner" }, key)).status).toBe(200);
    const revoked = await api("DELETE", `/api/v1/keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toMatch(/Z$/);
    const after = await send({ message: "still there?", session_id: "revoked-owner" }, key);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe("UNAUTHORIZED");
    // Revoking again keeps the first time.
    expect((await api("DELETE", `/api/v1/keys/${id}`)).json.revoked_at).toBe(revoked.json.revoked_at);
    expect((await api("DELETE", "/api/v1/keys/key_unknown")).status).toBe(404);
  });

  it("keeps key management for admin keys", async () => {
    const { key } = await createKey();
    for (const [method, path] of [
      ["GET", "/api/v1/keys"],
      ["POST", "/api/v1/keys"],
      ["DELETE", "/api/v1/keys/key_x"],
    ] as const) {
      const res = await api(method, path, { key, body: method === "POST" ? { name: "mine", scopes: ["admin"] } : undefined });
      expect(res.status).toBe(403);
    }
    const admin = await createKey("ops", ["admin"]);
    expect((await api("GET", "/api/v1/keys", { key: admin.key })).status).toBe(200);
  });

  it("validates key requests", async () => {
    expect((await api("POST", "/api/v1/keys", { body: { name: "" } })).status).toBe(400);
    expect((await api("POST", "/api/v1/keys", { body: { name: "x", scopes: ["root"] } })).status).toBe(400);
    expect((await api("DELETE", "/api/v1/keys/not-a-key-id")).status).toBe(404);
  });
});
