import { runInDurableObject } from "cloudflare:test";
import { env } from "../support/env";
import { expect, it } from "vitest";
import { HistoryStore } from "../../workers/durable-objects/chat-session/history-store";

it("reads O(limit) rows for a history page, however long the history", async () => {
  const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName("long-history"));
  await runInDurableObject(stub, (_instance, state) => {
    const store = new HistoryStore(state.storage.sql);
    const cost = (query: Parameters<HistoryStore["page"]>[0]) => {
      store.rowsRead = 0;
      const page = store.page(query);
      return { page, rows: store.rowsRead };
    };
    const fill = (n: number) => {
      for (let i = 0; i < n; i++)
        store.append({ role: i % 2 ? "assistant" : "user", content: `message ${store.count()}`, character_id: "assistant" }, new Date().toISOString());
    };

    fill(100);
    const small = cost({ limit: 50, offset: 25, order: "asc" });
    fill(9_900);
    const large = cost({ limit: 50, offset: 5_000, order: "asc" });
    const newest = cost({ limit: 50, offset: 0, order: "desc" });

    expect(large.page.total_count).toBe(10_000);
    expect(large.page.messages.map((m) => m.content)).toEqual(Array.from({ length: 50 }, (_, i) => `message ${5_000 + i}`));
    expect(newest.page.messages[0]!.content).toBe("message 9999");
    // The same number of rows read at 100 and at 10,000 messages: a range scan of the page.
    expect(large.rows).toBe(small.rows);
    expect(newest.rows).toBeLessThanOrEqual(small.rows);
    expect(large.rows).toBeLessThan(60);
  });
});
