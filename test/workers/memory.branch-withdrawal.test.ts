import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FactLog } from "../../workers/durable-objects/user-memory/fact-log";
import { MemoryStore } from "../../workers/durable-objects/user-memory/memory-store";
import { env } from "../support/env";

/** A fresh memory object's SQLite, with the store and the fact log over it. */
async function withFacts(test: (store: MemoryStore, facts: FactLog) => void): Promise<void> {
  const stub = env.USER_MEMORY.get(env.USER_MEMORY.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, (_instance, state) => {
    const store = new MemoryStore(state.storage.sql, "0".repeat(64));
    test(store, new FactLog(state.storage.sql, store));
  });
}

const at = "2026-11-27T00:00:00.000Z";
const exchange = (reply: string, session = "s1") => ({ messageId: reply, sessionId: session, sourceIds: [`${reply}_user`, reply] });
const facts = (log: FactLog) => log.known().map((fact) => fact.content);

describe("branch withdrawal of extracted facts", () => {
  it("takes back a reply's ADD, UPDATE and DELETE when it leaves the branch, and reads it again later", async () => {
    await withFacts((store, log) => {
      log.apply(exchange("r1"), [{ op: "ADD", content: "I live in Oslo." }, { op: "ADD", content: "I have a cat." }], at);
      const [oslo, cat] = log.known();
      log.apply(
        exchange("r2"),
        [
          { op: "UPDATE", id: oslo!.id, content: "I live in Bergen." },
          { op: "DELETE", id: cat!.id },
          { op: "ADD", content: "I play chess." },
        ],
        at,
      );
      expect(facts(log)).toEqual(["I live in Bergen.", "I play chess."]);
      expect(log.wasExtracted("r2")).toBe(true);

      // r2 is regenerated: its changes go, r1's stay.
      log.withdraw(["r2"], at);
      expect(facts(log)).toEqual(["I live in Oslo.", "I have a cat."]);
      expect(log.wasExtracted("r2")).toBe(false);
      expect(log.wasExtracted("r1")).toBe(true);

      // r1 leaves too (the user edited the first message): nothing is left.
      log.withdraw(["r1"], at);
      expect(facts(log)).toEqual([]);
      expect(store.isEmpty()).toBe(true);
    });
  });

  it("keeps a fact that a later exchange, still on a branch, built on", async () => {
    await withFacts((_store, log) => {
      log.apply(exchange("r1", "s1"), [{ op: "ADD", content: "I live in Oslo." }], at);
      const [oslo] = log.known();
      log.apply(exchange("r7", "s2"), [{ op: "UPDATE", id: oslo!.id, content: "I live in Oslo, near the harbor." }], at);
      log.withdraw(["r1"], at);
      expect(facts(log)).toEqual(["I live in Oslo, near the harbor."]);
      // An UPDATE is restored only over the text it wrote.
      log.apply(exchange("r8", "s2"), [{ op: "UPDATE", id: oslo!.id, content: "I live in Trondheim." }], at);
      log.apply(exchange("r9", "s2"), [{ op: "UPDATE", id: oslo!.id, content: "I live in Tromsø." }], at);
      log.withdraw(["r8"], at);
      expect(facts(log)).toEqual(["I live in Tromsø."]);
    });
  });

  it("clearing a session takes back what its exchanges did to other sessions' facts", async () => {
    await withFacts((store, log) => {
      log.apply(exchange("r1", "s1"), [{ op: "ADD", content: "I have a dog." }], at);
      const [dog] = log.known();
      log.apply(exchange("r2", "s2"), [{ op: "DELETE", id: dog!.id }, { op: "ADD", content: "I have a parrot." }], at);
      expect(facts(log)).toEqual(["I have a parrot."]);
      log.forgetSession("s2", at);
      store.removeSession("s2");
      expect(facts(log)).toEqual(["I have a dog."]);
    });
  });

  it("switches a message's memories and summaries off and on with the message", async () => {
    await withFacts((store) => {
      store.insert({ kind: "message", content: "The lighthouse is red.", sessionId: "s1", anchorId: "msg_a", sourceIds: ["msg_a"] }, at);
      store.insert({ kind: "summary", content: "They met.", sessionId: "s1", anchorId: "msg_a", sourceIds: ["msg_a"] }, at);
      expect(store.setActiveByAnchor(["msg_a"], false)).toHaveLength(2);
      expect(store.summaryOf("s1")).toBeUndefined();
      expect(store.list(["message"], 10, 0).total).toBe(0);
      store.setActiveByAnchor(["msg_a"], true);
      expect(store.summaryOf("s1")?.content).toBe("They met.");
    });
  });
});
