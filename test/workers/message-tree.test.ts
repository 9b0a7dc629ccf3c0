import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { NewMessage } from "../../workers/chat/turn";
import { HistoryStore } from "../../workers/durable-objects/chat-session/history-store";
import { MessageTree } from "../../workers/durable-objects/chat-session/message-tree";
import { env } from "../support/env";

const at = new Date(0).toISOString();
const text = (role: "user" | "assistant", content: string): NewMessage => ({ role, content, character_id: "assistant" });

/** Runs `body` on a fresh session's SQLite, with a store and a tree over it. */
function withTree(name: string, body: (store: HistoryStore, tree: MessageTree) => void) {
  const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(`tree-${name}`));
  return runInDurableObject(stub, (_instance, state) => {
    const store = new HistoryStore(state.storage.sql);
    body(store, new MessageTree(store));
  });
}

const branch = (store: HistoryStore) => store.page({ limit: 200, offset: 0, order: "asc" }).messages.map((m) => m.content);
const fill = (store: HistoryStore, n: number) => {
  for (let i = store.count(); i < n; i++) store.append(text(i % 2 ? "assistant" : "user", `m${i}`), at);
};
const writes = (store: HistoryStore, change: () => void) => {
  store.rowsWritten = 0;
  change();
  return store.rowsWritten;
};

describe("the active branch", () => {
  it("follows the newest sibling, and after a select, the last selected one", () =>
    withTree("active", (store, tree) => {
      fill(store, 4);
      const [, reply, , last] = branch(store).map((_, i) => store.idAt(i)!);
      const swipe = tree.branchFrom(store.row(reply!)!.parent_id, text("assistant", "m1 again"), at);
      expect(branch(store)).toEqual(["m0", "m1 again"]);
      expect(swipe).toMatchObject({ sibling_index: 1, sibling_count: 2 });

      // Back to the old reply: the path below it comes back as it was.
      expect(tree.select(reply!)).toEqual({ activeLeafId: last, changedAtId: reply, totalCount: 4 });
      expect(branch(store)).toEqual(["m0", "m1", "m2", "m3"]);
      // And forth: the swipe had no children, so it is the leaf.
      tree.select(swipe.id);
      expect(branch(store)).toEqual(["m0", "m1 again"]);
      expect(tree.siblings(reply!)).toMatchObject({ activeIndex: 1 });
    }));

  it("selecting a message off the branch makes its whole path active, each parent remembering the way", () =>
    withTree("deep-select", (store, tree) => {
      fill(store, 2);
      const root = store.idAt(0)!;
      // Two lines below the root: A (m1, a1, a2) and B (b1, b2); B is active.
      const a2 = store.append(text("user", "a2"), at);
      const b1 = tree.branchFrom(root, text("assistant", "b1"), at);
      tree.branchFrom(b1.id, text("user", "b2"), at);
      expect(branch(store)).toEqual(["m0", "b1", "b2"]);
      // A message two levels into the other line.
      expect(tree.select(a2.id)).toMatchObject({ activeLeafId: a2.id, totalCount: 3 });
      expect(branch(store)).toEqual(["m0", "m1", "a2"]);
      tree.select(b1.id);
      expect(branch(store)).toEqual(["m0", "b1", "b2"]);
      tree.select(store.idAt(0)!);
      expect(branch(store)).toEqual(["m0", "b1", "b2"]);
    }));
});

describe("costs", () => {
  it("writes O(1) rows to swipe at the end and O(d) to switch d messages above the leaf", () =>
    withTree("costs", (store, tree) => {
      fill(store, 2_000);
      const [leafParent, oldLeaf] = [store.idAt(1_998)!, store.idAt(1_999)!];
      const swipeEnd = writes(store, () => tree.branchFrom(leafParent, text("assistant", "swipe"), at));
      // The old leaf leaves the branch, the swipe is stored, the parent remembers it.
      // The old leaf leaves the branch, the swipe is stored (with its index entries), the parent remembers it.
      expect(swipeEnd).toBeLessThanOrEqual(8);
      const selectEnd = writes(store, () => tree.select(oldLeaf));
      expect(selectEnd).toBeLessThanOrEqual(8);
      expect(store.leafId()).toBe(oldLeaf);

      const deepParent = store.idAt(999)!; // 1,000 messages above the leaf
      const original = store.idAt(1_000)!;
      const swipeDeep = writes(store, () => tree.branchFrom(deepParent, text("assistant", "deep swipe"), at));
      const back = writes(store, () => tree.select(original));
      expect(branch(store)).toHaveLength(200);
      expect(store.count()).toBe(2_000);
      // O(d): about one row per message that leaves or joins the branch, not one per message stored.
      // Swiping 1,000 above the leaf: 1,000 leave the branch. Going back: the swipe leaves, 1,000 return.
      expect(swipeDeep).toBeGreaterThanOrEqual(1_000);
      expect(swipeDeep).toBeLessThan(1_000 + 10);
      expect(back).toBeGreaterThanOrEqual(1_000);
      expect(back).toBeLessThan(2 * 1_000 + 10);
    }));

  it("reads O(limit) rows for a history page, however long the history", () =>
    withTree("long-history", (store) => {
      const cost = (query: Parameters<HistoryStore["page"]>[0]) => {
        store.rowsRead = 0;
        const page = store.page(query);
        return { page, rows: store.rowsRead };
      };
      fill(store, 100);
      const small = cost({ limit: 50, offset: 25, order: "asc" });
      fill(store, 10_000);
      const large = cost({ limit: 50, offset: 5_000, order: "asc" });
      const newest = cost({ limit: 50, offset: 0, order: "desc" });

      expect(large.page.total_count).toBe(10_000);
      expect(large.page.messages.map((m) => m.content)).toEqual(Array.from({ length: 50 }, (_, i) => `m${5_000 + i}`));
      expect(newest.page.messages[0]!.content).toBe("m9999");
      // About the same rows at 100 and at 10,000 messages: a range scan of the page, plus each message's siblings.
      expect(Math.abs(large.rows - small.rows)).toBeLessThanOrEqual(2);
      expect(newest.rows).toBeLessThanOrEqual(small.rows + 2);
      expect(large.rows).toBeLessThan(50 * 5);
    }));
});

describe("delete", () => {
  it("removes a subtree; the sibling before it takes its place, else the one after, else the parent ends the branch", () =>
    withTree("delete", (store, tree) => {
      fill(store, 4);
      const [m0, m1] = [store.idAt(0)!, store.idAt(1)!];
      const second = tree.branchFrom(m0, text("assistant", "second"), at);
      const third = tree.branchFrom(m0, text("assistant", "third"), at);
      tree.select(second.id);

      // The active one goes: the sibling before it (m1) comes back with its path.
      expect(tree.remove(second.id)).toMatchObject({ activeLeafId: store.idAt(3), changedAtId: m1, deletedIds: [second.id] });
      expect(branch(store)).toEqual(["m0", "m1", "m2", "m3"]);
      // The first one goes, with the two below it: the one after it takes its place.
      const removed = tree.remove(m1)!;
      expect(removed.deletedIds).toHaveLength(3);
      expect(branch(store)).toEqual(["m0", "third"]);
      // The last one goes: its parent ends the branch.
      expect(tree.remove(third.id)).toMatchObject({ activeLeafId: m0, totalCount: 1 });
      expect(branch(store)).toEqual(["m0"]);
      expect(tree.siblings(m0)).toMatchObject({ activeIndex: 0, siblings: [{ content: "m0", sibling_count: 1 }] });
      expect(tree.remove("msg_nothing")).toBeUndefined();
    }));

  it("removes a message off the branch without touching the branch", () =>
    withTree("delete-off", (store, tree) => {
      fill(store, 2);
      const reply = store.idAt(1)!;
      const swipe = tree.branchFrom(store.idAt(0)!, text("assistant", "swipe"), at);
      expect(tree.remove(reply)).toMatchObject({ activeLeafId: swipe.id, deletedIds: [reply] });
      expect(branch(store)).toEqual(["m0", "swipe"]);
      expect(store.get(swipe.id)).toMatchObject({ sibling_index: 0, sibling_count: 1 });
    }));
});

describe("greetings and paths", () => {
  it("opens with the first greeting active and the others as its siblings", () =>
    withTree("greetings", (store, tree) => {
      const first = tree.openWith([text("assistant", "Hello"), text("assistant", "Hi"), text("assistant", "Hey")], at);
      expect(first).toMatchObject({ content: "Hello", sibling_index: 0, sibling_count: 3 });
      store.append(text("user", "hi!"), at);
      const hey = tree.siblings(first.id)!.siblings[2]!;
      tree.select(hey.id);
      expect(branch(store)).toEqual(["Hey"]);
      tree.select(first.id);
      expect(branch(store)).toEqual(["Hello", "hi!"]);
    }));

  it("gives the path from the root to any message, on the branch or off it, page by page", () =>
    withTree("paths", (store, tree) => {
      fill(store, 6);
      const m3 = store.idAt(3)!;
      const off = tree.branchFrom(store.idAt(2)!, text("assistant", "off"), at);
      tree.select(m3);
      expect(store.row(off.id)!.pos).toBeNull();
      const all = tree.pathTo(off.id, 0, 100)!;
      expect(all.total).toBe(4);
      expect(all.messages.map((m) => m.content)).toEqual(["m0", "m1", "m2", "off"]);
      expect(tree.pathTo(off.id, 2, 10)!.messages.map((m) => m.content)).toEqual(["m2", "off"]);
      expect(tree.pathTo(store.idAt(1)!, 0, 1)).toMatchObject({ total: 2, messages: [{ content: "m0" }] });
    }));
});

it("upgrades a session stored before branches existed, and branches it like any other", async () => {
  const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName("tree-legacy"));
  await runInDurableObject(stub, (_instance, state) => {
    // The table as it was: no selected_child column.
    const sql = state.storage.sql;
    sql.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE messages (id TEXT PRIMARY KEY, parent_id TEXT, pos INTEGER, role TEXT NOT NULL, content TEXT NOT NULL,
      character_id TEXT NOT NULL, created_at TEXT NOT NULL, metadata TEXT, media TEXT, client_id TEXT)`);
    sql.exec(`CREATE UNIQUE INDEX messages_active_pos ON messages (pos) WHERE pos IS NOT NULL`);
    sql.exec(`CREATE INDEX messages_parent ON messages (parent_id)`);
    for (let i = 0; i < 4; i++) {
      sql.exec(
        `INSERT INTO messages (id, parent_id, pos, role, content, character_id, created_at) VALUES (?, ?, ?, ?, ?, 'assistant', ?)`,
        `msg_old${i}`,
        i === 0 ? null : `msg_old${i - 1}`,
        i,
        i % 2 ? "assistant" : "user",
        `m${i}`,
        at,
      );
    }
    const store = new HistoryStore(sql);
    const tree = new MessageTree(store);
    expect(branch(store)).toEqual(["m0", "m1", "m2", "m3"]);
    tree.branchFrom("msg_old0", text("assistant", "swipe"), at);
    expect(branch(store)).toEqual(["m0", "swipe"]);
    tree.select("msg_old1");
    expect(branch(store)).toEqual(["m0", "m1", "m2", "m3"]);
  });
});
