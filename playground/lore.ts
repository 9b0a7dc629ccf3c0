import type { ChatacterClient, ContextPreview, LorebookSummary, PromptSection } from "../shared/client/index.js";
import { $, element } from "./dom.js";

/** What the lore panel and the context view need from the page: the client, the character, the session, the composer. */
export interface LoreHost {
  client(): ChatacterClient | undefined;
  characterId(): string;
  characterName(): string;
  sessionId(): string;
  /** The end user whose memory the next turn would use (none: the session's own). */
  userId(): string | undefined;
  draft(): string;
  /** Says what went wrong, with the API's code when it has one. */
  describe(error: unknown): string;
}

/** The name a lorebook document gives itself (a V3 lorebook's `data.name`, a character_book's `name`), if it reads as JSON. */
function ownName(text: string): string | undefined {
  try {
    const document = JSON.parse(text) as { name?: unknown; data?: { name?: unknown } } | null;
    const name = document?.data?.name ?? document?.name;
    return typeof name === "string" && name.trim() ? name : undefined;
  } catch {
    return undefined;
  }
}

const SECTIONS: PromptSection[] = ["system", "lore", "memory", "examples", "history", "message"];

/**
 * The lorebook panel (the selected character's lorebooks: upload and attach, attach another, detach,
 * each book's entries) and the context view (the next prompt for what is typed in the composer).
 */
export function setupLore(host: LoreHost) {
  const list = $<HTMLUListElement>("lorebooks");
  const empty = $<HTMLParagraphElement>("lore-empty");
  const heading = $<HTMLSpanElement>("lore-character");
  const fileInput = $<HTMLInputElement>("lore-file");
  const others = $<HTMLSelectElement>("lore-others");
  const attachButton = $<HTMLButtonElement>("lore-attach");
  const loreStatus = $<HTMLParagraphElement>("lore-status");
  const previewButton = $<HTMLButtonElement>("preview");
  const view = $<HTMLElement>("context");

  /** Every lorebook by id (names for the panel and the context view), as last listed. */
  let books = new Map<string, LorebookSummary>();
  let attached: string[] = [];
  let loading = 0;
  const note = (text: string) => (loreStatus.textContent = text);

  /** Lists the character's lorebooks (its `lorebook_ids`, named from the list of all lorebooks). */
  async function refresh() {
    const client = host.client();
    const characterId = host.characterId();
    if (!client || !characterId) return;
    const ticket = ++loading;
    const [character, all] = await Promise.all([client.getCharacter(characterId), client.lorebooks.list()]);
    if (ticket !== loading) return;
    books = new Map(all.lorebooks.map((book) => [book.id, book]));
    attached = character.lorebook_ids;
    heading.textContent = `for ${character.name}`;
    list.replaceChildren(...attached.map((id) => bookItem(id)));
    empty.hidden = attached.length > 0;
    others.replaceChildren(
      new Option("Attach a lorebook…", ""),
      ...all.lorebooks.filter((book) => !attached.includes(book.id)).map((book) => new Option(`${book.name} (${book.entry_count})`, book.id)),
    );
    attachButton.disabled = others.options.length <= 1;
  }

  /** A book of the panel: its name and entry count, its entries when opened, and a detach button. */
  function bookItem(id: string): HTMLLIElement {
    const book = books.get(id);
    const li = element("li", "book");
    li.dataset.id = id;
    const details = element("details");
    const summary = element("summary");
    summary.append(element("span", "book-name", book?.name ?? id), " ", element("span", "count", book ? `${book.entry_count} entries` : ""));
    const entries = element("ul", "entries");
    details.append(summary, entries);
    // Entries are fetched the first time the book is opened.
    details.addEventListener("toggle", () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      entries.replaceChildren(element("li", "hint", "Loading…"));
      host
        .client()
        ?.lorebooks.get(id)
        .then((full) => {
          entries.replaceChildren(
            ...full.entries.map((entry) => {
              const item = element("li", entry.enabled ? "entry" : "entry disabled");
              const name = entry.name || entry.content.slice(0, 40) || `#${entry.id}`;
              const keys = entry.constant ? "always" : entry.keys.join(", ") || "no keys";
              item.append(element("strong", "entry-name", name), " ", element("span", "keys", keys), " ", element("span", "position", entry.position));
              if (!entry.enabled) item.title = "Disabled: never fires";
              return item;
            }),
          );
          if (full.entries.length === 0) entries.replaceChildren(element("li", "hint", "No entries"));
        })
        .catch((error: unknown) => {
          delete details.dataset.loaded;
          entries.replaceChildren(element("li", "hint", host.describe(error)));
        });
    });
    const detach = element("button", "secondary detach", "Detach");
    detach.type = "button";
    detach.setAttribute("aria-label", `Detach ${book?.name ?? id}`);
    detach.addEventListener(
      "click",
      () =>
        void setAttached(
          attached.filter((other) => other !== id),
          `Detached ${book?.name ?? id}`,
        ),
    );
    li.append(details, detach);
    return li;
  }

  /** Replaces the character's lorebooks (admin), then lists them again. */
  async function setAttached(ids: string[], done: string) {
    const client = host.client();
    if (!client) return;
    try {
      await client.updateCharacter(host.characterId(), { lorebook_ids: ids });
      await refresh();
      note(done);
    } catch (error) {
      note(host.describe(error));
    }
  }

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    const client = host.client();
    if (!file || !client) return;
    note(`Uploading ${file.name}…`);
    try {
      // The file's text as it is: the API reads any of the three formats and says what is wrong with one.
      // A book without a name of its own (SillyTavern names world files by their file) takes the file's.
      const text = await file.text();
      const created = await client.lorebooks.create(text, { name: ownName(text) ? undefined : file.name.replace(/\.json$/i, "") || undefined });
      const { lorebook_ids } = await client.getCharacter(host.characterId());
      await setAttached([...lorebook_ids, created.id], `Attached ${created.name} (${created.entry_count} entries) to ${host.characterName()}`);
    } catch (error) {
      note(host.describe(error));
    } finally {
      fileInput.value = "";
    }
  });

  attachButton.addEventListener("click", () => {
    const id = others.value;
    if (id) void setAttached([...attached, id], `Attached ${books.get(id)?.name ?? id}`);
  });

  // ---- the context view ----

  function showPreview(preview: ContextPreview) {
    const { total, budget, sections } = preview.tokens;
    // Widths against the budget; a prompt over it fills the bar.
    const scale = 100 / Math.max(budget, total, 1);
    const bar = $<HTMLDivElement>("token-bar");
    bar.replaceChildren(
      ...SECTIONS.filter((section) => sections[section] > 0).map((section) => {
        const part = element("span", `part sec-${section}`);
        part.style.width = `${sections[section] * scale}%`;
        part.title = `${section}: ${sections[section]} tokens`;
        return part;
      }),
    );
    bar.setAttribute("aria-label", `${total} of ${budget} tokens: ${SECTIONS.map((s) => `${s} ${sections[s]}`).join(", ")}`);
    $("token-total").textContent = `${total} / ${budget} tokens (${Math.round((total / Math.max(budget, 1)) * 100)}%)`;
    $("token-legend").replaceChildren(
      ...SECTIONS.map((section) => {
        const li = element("li", `sec-${section}`);
        li.append(element("i", `swatch sec-${section}`), `${section} `, element("b", "", String(sections[section])));
        return li;
      }),
    );

    const lore = $<HTMLUListElement>("context-lore");
    lore.replaceChildren(
      ...preview.lore.map((entry) => {
        const li = element("li", "fired");
        const book = books.get(entry.lorebook_id)?.name ?? (entry.lorebook_id.startsWith("character:") ? "the card's book" : entry.lorebook_id);
        li.append(
          element("strong", "entry-name", entry.name || `#${entry.entry_id}`),
          " ",
          element("span", "keys", entry.matched_key === null ? "constant" : `matched “${entry.matched_key}”`),
          " ",
          element("span", "position", `${entry.position}${entry.depth === null ? "" : ` ${entry.depth}`} · ${entry.tokens} tokens · ${book}`),
        );
        return li;
      }),
    );
    if (preview.lore.length === 0) lore.replaceChildren(element("li", "hint", "No entry fired"));

    $<HTMLOListElement>("context-messages").replaceChildren(
      ...preview.messages.map((message) => {
        const li = element("li", message.role);
        li.append(element("span", "role", message.role), element("div", "content", message.content));
        return li;
      }),
    );
    view.hidden = false;
  }

  /** Shows a line in place of the preview (nothing to preview, or an error). */
  function previewNote(text: string) {
    $("context-note").textContent = text;
    $("context-body").hidden = true;
    view.hidden = false;
  }

  previewButton.addEventListener("click", async () => {
    const client = host.client();
    const message = host.draft();
    if (!client || !host.sessionId()) return previewNote("Connect first.");
    if (!message) return previewNote("Type a message to see the prompt it would be sent in.");
    previewButton.disabled = true;
    try {
      showPreview(await client.contextPreview(host.sessionId(), { characterId: host.characterId(), message, userId: host.userId() }));
      $("context-note").textContent = `Sending “${message.length > 60 ? `${message.slice(0, 60)}…` : message}” now would send this prompt:`;
      $("context-body").hidden = false;
      view.scrollIntoView({ block: "nearest" });
    } catch (error) {
      previewNote(host.describe(error));
    } finally {
      previewButton.disabled = false;
    }
  });
  $("context-close").addEventListener("click", () => (view.hidden = true));

  return {
    /** Lists the selected character's lorebooks again; errors are said in the panel. */
    refresh: () => refresh().catch((error: unknown) => note(host.describe(error))),
    /** The prompt shown is no longer the next one. */
    closePreview: () => (view.hidden = true),
  };
}
