import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { isPng, readChunks } from "../../workers/cards/png";
import { api, createKey, fullHistory, send } from "../support/api";
import { base64Utf8, buildPng, cardPng, getRaw, llmRequestWith, post, textChunk, v2Card, v3Card } from "../support/cards";
import { statsWritten } from "../support/stats";

const importJson = (card: unknown, query = "") => api("POST", `/api/v1/characters/import${query}`, { body: card });

describe("POST /api/v1/characters/import", () => {
  it("imports a V2 JSON card with every field, under a slug of its name", async () => {
    const res = await importJson(v2Card());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: "seraphina",
      name: "Seraphina",
      description: v2Card().data.description,
      personality: "Gentle, protective, wise",
      scenario: v2Card().data.scenario,
      first_message: v2Card().data.first_mes,
      example_messages: v2Card().data.mes_example,
      post_history_instructions: "Keep {{char}}'s replies under three paragraphs.",
      alternate_greetings: v2Card().data.alternate_greetings,
      creator_notes: "Works best with a slow pace.",
      tags: ["fantasy", "guardian"],
      creator: "tester",
      character_version: "1.2",
      nickname: null,
      avatar_url: null,
      capabilities: ["text"],
      configuration: { system_prompt: "{{original}} Write vividly as {{char}}.", temperature: 0.7, max_tokens: 1024 },
      statistics: { total_conversations: 0 },
    });
    expect((await api("GET", "/api/v1/characters/seraphina")).json.scenario).toBe(v2Card().data.scenario);
    expect((await api("GET", "/api/v1/characters")).json.characters.map((c: any) => c.id)).toContain("seraphina");
  });

  it("imports a V3 JSON card, keeping its nickname", async () => {
    const res = await importJson(v3Card());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: "seraphina-of-the-glade", name: "Seraphina of the Glade", nickname: "Sera" });
  });

  it("takes a V3 card's English creator note when it only has multilingual ones", async () => {
    const res = await importJson(v3Card({ name: "Polyglot", creator_notes: "", creator_notes_multilingual: { en: "Hello", fr: "Bonjour" } }));
    expect(res.status).toBe(201);
    expect(res.json.creator_notes).toBe("Hello");
  });

  it("fills fields a card leaves out with empty values", async () => {
    const res = await importJson({ spec: "chara_card_v2", spec_version: "2.0", data: { name: "Bare Bones" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: "bare-bones", description: "", scenario: "", first_message: "", tags: [], alternate_greetings: [] });
  });

  it("slugs names with accents and symbols, and hashes names with no Latin letters", async () => {
    expect((await importJson(v2Card({ name: "  Élodie & the Café!! " }))).json.id).toBe("elodie-the-cafe");
    const cjk = await importJson(v2Card({ name: "桜" }));
    expect(cjk.status).toBe(201);
    expect(cjk.json.id).toMatch(/^character-[0-9a-f]{8}$/);
  });

  it("imports a PNG card (image/png), stores the image and serves it as the avatar", async () => {
    const png = cardPng(v2Card({ name: "Png Girl" }));
    const res = await post("/api/v1/characters/import", png, "image/png");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: "png-girl", name: "Png Girl", avatar_url: "/assets/avatars/png-girl.png" });

    const avatar = await getRaw("/assets/avatars/png-girl.png");
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get("Content-Type")).toBe("image/png");
    const bytes = new Uint8Array(await avatar.arrayBuffer());
    // The same picture, without the card's text chunk.
    expect(isPng(bytes)).toBe(true);
    const chunks = readChunks(bytes);
    expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(bytes.length).toBeLessThan(png.length);

    const etag = avatar.headers.get("ETag")!;
    expect(etag).toBeTruthy();
    const again = await getRaw("/assets/avatars/png-girl.png", { "If-None-Match": etag });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
  });

  it("prefers the ccv3 chunk when a PNG has both", async () => {
    const png = buildPng([
      textChunk("chara", base64Utf8(JSON.stringify(v2Card({ name: "Old Name" })))),
      textChunk("ccv3", base64Utf8(JSON.stringify(v3Card({ name: "New Name", nickname: "Newt" })))),
    ]);
    const res = await post("/api/v1/characters/import", png, "image/png");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: "new-name", name: "New Name", nickname: "Newt" });
    expect((await api("GET", "/api/v1/characters/old-name")).status).toBe(404);
  });

  it("keeps non-ASCII text intact through base64 and the tEXt chunk", async () => {
    const res = await post("/api/v1/characters/import", cardPng(v2Card({ name: "Unicode", description: "Ça va? 你好 🌸" })), "image/png");
    expect(res.status).toBe(201);
    expect(res.json.description).toBe("Ça va? 你好 🌸");
  });

  it("accepts multipart/form-data with a PNG or a JSON file in `file`", async () => {
    const form = new FormData();
    form.append("file", new File([cardPng(v2Card({ name: "Form Png" }))], "card.png", { type: "image/png" }));
    const png = await post("/api/v1/characters/import", form);
    expect(png.status).toBe(201);
    expect(png.json).toMatchObject({ id: "form-png", avatar_url: "/assets/avatars/form-png.png" });

    const jsonForm = new FormData();
    jsonForm.append("file", new File([JSON.stringify(v3Card({ name: "Form Json" }))], "card.json", { type: "application/json" }));
    const json = await post("/api/v1/characters/import", jsonForm);
    expect(json.status).toBe(201);
    expect(json.json).toMatchObject({ id: "form-json", avatar_url: null });
  });

  it("takes cards far larger than the API's 64 KiB body limit (up to 2 MiB)", async () => {
    const padding = textChunk("Comment", "x".repeat(600_000));
    const res = await post(
      "/api/v1/characters/import",
      buildPng([padding, textChunk("chara", base64Utf8(JSON.stringify(v2Card({ name: "Big Picture" }))))]),
      "image/png",
    );
    expect(res.status).toBe(201);
    expect(res.json.id).toBe("big-picture");
  });

  it("uses ?id= when given, and overwrites an existing character only with overwrite=true", async () => {
    expect((await importJson(v2Card({ name: "First" }), "?id=custom-id")).status).toBe(201);
    const conflict = await importJson(v2Card({ name: "Second" }), "?id=custom-id");
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe("CONFLICT");

    const turn = await send({ message: "hello", character_id: "custom-id", session_id: "overwrite-stats" });
    await statsWritten("overwrite-stats", turn.json.timestamp, "custom-id");
    const overwritten = await importJson(v2Card({ name: "Second", scenario: "A new scenario" }), "?id=custom-id&overwrite=true");
    expect(overwritten.status).toBe(200);
    expect(overwritten.json).toMatchObject({ id: "custom-id", name: "Second", scenario: "A new scenario", statistics: { total_conversations: 1 } });
  });
});

describe("GET /api/v1/characters/{id}/export", () => {
  it("answers a V2 card as an attachment, readable by chat keys", async () => {
    const { key } = await createKey();
    const res = await api("GET", "/api/v1/characters/assistant/export", { key });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="assistant.json"');
    expect(res.json).toEqual({
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: expect.objectContaining({
        name: "Assistant",
        description: "A helpful and friendly AI assistant",
        system_prompt: expect.stringContaining("helpful assistant"),
        first_mes: "",
        mes_example: "",
        alternate_greetings: [],
        tags: [],
        extensions: {},
      }),
    });
  });

  it("round-trips: export, import as a copy, and the copy exports the same card", async () => {
    expect((await importJson(v2Card({ name: "Round Trip" }))).status).toBe(201);
    const exported = await api("GET", "/api/v1/characters/round-trip/export");
    expect(exported.json.data).toMatchObject({ ...v2Card({ name: "Round Trip" }).data });

    const copy = await importJson(exported.json, "?id=round-trip-copy");
    expect(copy.status).toBe(201);
    const original = (await api("GET", "/api/v1/characters/round-trip")).json;
    const promptFields = [
      "name",
      "description",
      "personality",
      "scenario",
      "first_message",
      "example_messages",
      "post_history_instructions",
      "alternate_greetings",
      "nickname",
    ];
    for (const field of promptFields) expect(copy.json[field]).toEqual(original[field]);
    expect(copy.json.configuration.system_prompt).toBe(original.configuration.system_prompt);
    expect((await api("GET", "/api/v1/characters/round-trip-copy/export")).json).toEqual(exported.json);
  });

  it("keeps a card's character_book and extensions through import and export", async () => {
    const book = {
      name: "Glade lore",
      extensions: {},
      entries: [{ keys: ["glade"], content: "The glade is hidden.", extensions: {}, enabled: true, insertion_order: 0 }],
    };
    expect((await importJson(v2Card({ name: "Lore Keeper", character_book: book }))).status).toBe(201);
    const exported = (await api("GET", "/api/v1/characters/lore-keeper/export")).json;
    expect(exported.data.character_book).toEqual(book);
    expect(exported.data.extensions).toEqual(v2Card().data.extensions);
  });
});

describe("cards in conversation", () => {
  it("sends every prompt field to the LLM with macros substituted, after the first message", async () => {
    expect((await importJson(v2Card({ name: "Prompted" }))).status).toBe(201);
    const reply = await send({
      message: "Where am I? [marker-all-fields]",
      character_id: "prompted",
      session_id: "cards-prompt",
      context: { user_name: "Alice" },
    });
    expect(reply.status).toBe(200);

    const { messages } = await llmRequestWith("[marker-all-fields]");
    const system = messages[0]!;
    expect(system.role).toBe("system");
    // system_prompt with {{original}} replaced by our default, then the definition.
    expect(system.content).toContain("Write Prompted's next reply in a conversation with Alice. Stay in character. Write vividly as Prompted.");
    expect(system.content).toContain("Prompted is a guardian of the enchanted forest who watches over Alice.");
    expect(system.content).toContain("Personality: Gentle, protective, wise.");
    expect(system.content).toContain("Scenario: Alice wakes up in Prompted's glade after being attacked by shadow beasts.");
    expect(system.content).toContain("Alice: Who are you?\nPrompted: I am Prompted, keeper of this glade.");
    expect(system.content).toContain("Alice: Is it safe?\nPrompted: As long as I stand, yes.");
    expect(system.content).not.toContain("Works best with a slow pace"); // creator notes never reach the LLM
    // The greeting came first, then the user's message with the post-history instructions after it.
    expect(messages[1]).toEqual({ role: "assistant", content: "*Prompted kneels beside Alice.* You're safe now, Alice. Rest." });
    expect(messages.at(-1)).toEqual({ role: "user", content: "Where am I? [marker-all-fields]\n\nKeep Prompted's replies under three paragraphs." });
    for (const message of messages) expect(message.content).not.toMatch(/\{\{|<BOT>|<USER>/i);
  });

  it("starts a new session's history with the first message, once", async () => {
    expect((await importJson(v2Card({ name: "Greeter" }))).status).toBe(201);
    const first = await send({ message: "hi", character_id: "greeter", session_id: "cards-greeting" });
    expect(first.json.response).toContain("I can see 1 earlier messages");
    await send({ message: "again", character_id: "greeter", session_id: "cards-greeting" });
    const messages = await fullHistory("cards-greeting");
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["assistant", "*Greeter kneels beside User.* You're safe now, User. Rest."],
      ["user", "hi"],
      ["assistant", first.json.response],
      ["user", "again"],
      ["assistant", expect.any(String)],
    ]);
    expect(messages[1].parent_id).toBe(messages[0].id);
    expect(first.json.user_message_id).toBe(messages[1].id);
  });

  it("greets again after the history is cleared", async () => {
    expect((await importJson(v2Card({ name: "Cleared" }))).status).toBe(201);
    await send({ message: "hi", character_id: "cleared", session_id: "cards-cleared" });
    expect((await api("DELETE", "/api/v1/chat/history/cards-cleared")).status).toBe(200);
    await send({ message: "hello again", character_id: "cleared", session_id: "cards-cleared" });
    const messages = await fullHistory("cards-cleared");
    expect(messages.map((m) => m.role)).toEqual(["assistant", "user", "assistant"]);
    expect(messages[0].content).toContain("You're safe now, User.");
  });

  it("uses a V3 nickname for {{char}}", async () => {
    expect((await importJson(v3Card({ name: "Nicknamed One", nickname: "Nic" }))).status).toBe(201);
    await send({ message: "hey [marker-nickname]", character_id: "nicknamed-one", session_id: "cards-nickname", context: { user_name: "Bo" } });
    const { messages } = await llmRequestWith("[marker-nickname]");
    expect(messages[0]!.content).toContain("You are Nicknamed One.");
    expect(messages[0]!.content).toContain("Nic is a guardian of the enchanted forest who watches over Bo.");
    expect(messages[1]!.content).toBe("*Nic kneels beside Bo.* You're safe now, Bo. Rest.");
  });

  it("lets POST and PUT /characters set the card fields", async () => {
    const created = await api("POST", "/api/v1/characters", {
      body: { id: "handmade", name: "Handmade", scenario: "A workshop", first_message: "Welcome, {{user}}!", tags: ["craft"] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ scenario: "A workshop", first_message: "Welcome, {{user}}!", tags: ["craft"], example_messages: "" });
    const updated = await api("PUT", "/api/v1/characters/handmade", { body: { post_history_instructions: "Be brief.", nickname: "Hand" } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ scenario: "A workshop", post_history_instructions: "Be brief.", nickname: "Hand" });
    const reply = await send({ message: "hi", character_id: "handmade", session_id: "handmade-1", context: { user_name: "Cy" } });
    expect(reply.status).toBe(200);
    expect((await fullHistory("handmade-1"))[0].content).toBe("Welcome, Cy!");
  });
});

describe("OpenAPI", () => {
  it("documents the import (JSON, PNG and multipart bodies) and export routes", () => {
    const doc = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "Chattr", version: "1" } });
    const importOp = doc.paths!["/api/v1/characters/import"]!.post!;
    expect(Object.keys((importOp.requestBody as any).content)).toEqual(["application/json", "image/png", "multipart/form-data"]);
    expect(importOp.parameters!.map((p: any) => p.name)).toEqual(["id", "overwrite"]);
    expect(doc.paths!["/api/v1/characters/{character_id}/export"]!.get).toBeDefined();
  });
});
