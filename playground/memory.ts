import type { ChatacterClient, MemoryList, MemoryScope } from "../shared/client/index.js";
import { $ } from "./dom.js";
import { type MemoryActions, memoryItem } from "./memory-item.js";

/** What the memory panel needs from the page: the client, the character and the session. */
export interface MemoryHost {
  client(): ChatacterClient | undefined;
  characterId(): string;
  characterName(): string;
  sessionId(): string;
  /** Says what went wrong, with the API's code when it has one. */
  describe(error: unknown): string;
}

// Extraction runs after the reply is sent (CHARACTER-ENGINE.md §3): its facts land a moment later, so the
// panel looks again a few times, and stops early once the list changed.
const SETTLE_MS = 3000;
const SETTLE_STEP_MS = 500;
const USER_KEY = "chattr.user";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The user id field (kept in localStorage, sent with every turn as `user_id`) and the memory panel: what
 * the selected character remembers of that user (without a user id, of this session), a search that
 * shows each hit's score, and adding, pinning, editing and deleting memories.
 */
export function setupMemory(host: MemoryHost) {
  const userInput = $<HTMLInputElement>("user-id");
  const scopeLabel = $<HTMLSpanElement>("memory-scope");
  const list = $<HTMLUListElement>("memories");
  const empty = $<HTMLParagraphElement>("memory-empty");
  const searchInput = $<HTMLInputElement>("memory-search");
  const contentInput = $<HTMLTextAreaElement>("memory-content");
  const pinnedInput = $<HTMLInputElement>("memory-pinned");
  const status = $<HTMLParagraphElement>("memory-status");
  const note = (text: string) => (status.textContent = text);

  userInput.value = localStorage.getItem(USER_KEY) ?? "";
  const userId = () => userInput.value.trim() || undefined;

  /** Whose memory the panel shows: the user's with the character, else the session's. */
  function scope(): MemoryScope | undefined {
    const characterId = host.characterId();
    const user = userId();
    if (!characterId) return undefined;
    if (user) return { characterId, userId: user };
    return host.sessionId() ? { characterId, sessionId: host.sessionId() } : undefined;
  }

  let loading = 0;
  /** What the list shows, to tell whether a new answer changed anything. */
  let shown = "";

  /** Lists (or, with a query, searches) the memory again; says whether what is shown changed. */
  async function load(): Promise<boolean> {
    const client = host.client();
    const current = scope();
    const who = userId() ? `of ${userId()}` : "of this session";
    scopeLabel.textContent = `${who} with ${host.characterName()}`;
    if (!client || !current) {
      list.replaceChildren();
      shown = "";
      empty.textContent = "Connect to see what the character remembers.";
      empty.hidden = false;
      return false;
    }
    const ticket = ++loading;
    const q = searchInput.value.trim();
    const page = q ? await client.memories.search({ ...current, q }) : await client.memories.list(current);
    if (ticket !== loading) return false;
    const signature = JSON.stringify([current, q, page.memories.map((m) => [m.id, m.content, m.pinned, m.score])]);
    // An edit in progress is not drawn over; the next load draws what changed.
    if (signature === shown || list.querySelector(".editing")) return false;
    shown = signature;
    draw(page, q);
    return true;
  }

  function draw(page: MemoryList, q: string) {
    list.replaceChildren(...page.memories.map((memory) => memoryItem(memory, actions)));
    empty.textContent = q ? "No memory matches." : "Nothing remembered yet.";
    empty.hidden = page.memories.length > 0;
    const more = page.has_more ? ` (showing ${page.memories.length} of ${page.total})` : "";
    // `degraded` says itself why the search ran on full text only.
    note(page.degraded ?? more.trim());
  }

  /** Runs a change, then lists again; errors are said in the panel. */
  async function change(run: (client: ChatacterClient) => Promise<unknown>, done: string) {
    const client = host.client();
    if (!client) return note("Connect first.");
    try {
      await run(client);
      await load();
      note(done);
    } catch (error) {
      note(host.describe(error));
    }
  }

  const actions: MemoryActions = {
    update: (id, changes) =>
      change((client) => client.memories.update(id, changes), changes.content !== undefined ? "Memory saved" : changes.pinned ? "Pinned" : "Unpinned"),
    remove: (id) => change((client) => client.memories.remove(id), "Memory deleted"),
  };

  const refresh = () => load().catch((error: unknown) => note(host.describe(error)));

  let settling = 0;
  /** After a reply: lists again, and a few more times over ~3 s until facts extracted from the turn show. */
  async function afterReply() {
    const ticket = ++settling;
    const deadline = Date.now() + SETTLE_MS;
    let changed = await load();
    while (!changed && ticket === settling && Date.now() < deadline) {
      await sleep(SETTLE_STEP_MS);
      changed = await load();
    }
  }

  $<HTMLFormElement>("memory-add").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = contentInput.value.trim();
    const current = scope();
    if (!content) return;
    if (!current) return note("Connect first.");
    void change(async (client) => {
      await client.memories.create({ ...current, content, pinned: pinnedInput.checked });
      contentInput.value = "";
    }, "Memory added");
  });
  $<HTMLFormElement>("memory-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void refresh();
  });
  // An emptied search box goes back to the list.
  searchInput.addEventListener("input", () => {
    if (!searchInput.value.trim()) void refresh();
  });
  userInput.addEventListener("change", () => {
    localStorage.setItem(USER_KEY, userInput.value.trim());
    void refresh();
  });

  return {
    /** The user id every turn is sent with (`user_id`); none: memory is the session's. */
    userId,
    /** Lists the memory of the selected character and user again. */
    refresh,
    /** Lists again after a reply, until its extracted facts show (or ~3 s passed). */
    afterReply: () => afterReply().catch((error: unknown) => note(host.describe(error))),
  };
}
