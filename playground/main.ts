import { ChatacterClient, ChatacterError, type ChatSocket, type HistoryMessage, type ServerFrame } from "../shared/client/index.js";
import { $, editInPlace } from "./dom.js";
import { setupGroup } from "./group.js";
import { setupLore } from "./lore.js";
import { setupMemory } from "./memory.js";
import { showMemoryTag } from "./memory-item.js";
import { rememberAvatars, showReplyFace } from "./reply-video.js";
import { setupVoice } from "./reply-voice.js";
import { setupVoiceSample } from "./voice-sample.js";
const keyInput = $<HTMLInputElement>("api-key");
const characterSelect = $<HTMLSelectElement>("character");
const sessionInput = $<HTMLInputElement>("session");
const mediaToggle = $<HTMLInputElement>("media");
const messages = $<HTMLOListElement>("messages");
const status = $<HTMLParagraphElement>("status");
const input = $<HTMLTextAreaElement>("input");
const sendButton = $<HTMLButtonElement>("send");
const cancelButton = $<HTMLButtonElement>("cancel");
const previewButton = $<HTMLButtonElement>("preview");
const nextButton = $<HTMLButtonElement>("next");

let client: ChatacterClient | undefined;
let socket: ChatSocket | undefined;
let unfollowVoice: (() => void) | undefined;
/** A reply is being generated: Stop cancels it at the server (once its text is out, the server has nothing to cancel). */
let generating = false;
keyInput.value = localStorage.getItem("chattr.key") ?? "";
sessionInput.value = localStorage.getItem("chattr.session") ?? "";

const say = (text: string) => (status.textContent = text);
const describe = (error: unknown) => (error instanceof ChatacterError ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error));
const failed = (error: unknown) => say(describe(error));
const bubbles = new Map<string, HTMLLIElement>();

/** A message's bubble, made on its first frame; in a group, a reply's bubble (or error) names its speaker. */
function bubble(id: string, role: "user" | "assistant" | "error", text = "", speaker?: string): HTMLLIElement {
  let li = bubbles.get(id);
  if (!li) {
    li = document.createElement("li");
    li.className = role;
    li.dataset.id = id;
    const span = document.createElement("span");
    span.className = "text";
    li.append(span);
    messages.append(li);
    bubbles.set(id, li);
    // A reply heard before a redraw keeps its voice tag.
    voice.draw(li);
  }
  group.label(li, speaker);
  if (text) textOf(li).textContent = text;
  messages.scrollTop = messages.scrollHeight;
  return li;
}

const textOf = (li: HTMLLIElement) => li.querySelector<HTMLElement>(":scope > .text")!;

/** Adds to a bubble below its text, above its tools row. */
function addToBubble(li: HTMLLIElement, element: HTMLElement) {
  li.insertBefore(element, li.querySelector(":scope > .tools"));
}

function setMeta(li: HTMLLIElement, text: string) {
  let meta = li.querySelector<HTMLElement>(".meta");
  if (!meta) {
    meta = document.createElement("span");
    meta.className = "meta";
    addToBubble(li, meta);
  }
  meta.textContent = text;
}

const replyMeta = (m: HistoryMessage["metadata"], cancelled = false) =>
  m ? `${m.response_time_ms} ms${m.tokens_used === null ? "" : ` · ${m.tokens_used} tokens`}${cancelled ? " · stopped" : ""}` : "";

// ---- the conversation tree: swipes, regenerate, edit, continue ----

type Place = Pick<HistoryMessage, "role" | "sibling_index" | "sibling_count"> & { parent_id?: string | null };

function toolButton(action: string, label: string, text: string, disabled = false): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `tool ${action}`;
  button.dataset.action = action;
  button.setAttribute("aria-label", label);
  button.title = label;
  button.textContent = text;
  button.disabled = disabled;
  return button;
}

/** A bubble's tools: ‹ n/m › when it has swipes, edit, and on a character's reply regenerate and continue. */
function decorate(li: HTMLLIElement, place: Place) {
  li.querySelector(":scope > .tools")?.remove();
  const tools = document.createElement("div");
  tools.className = "tools";
  if (place.sibling_count > 1) {
    const swipes = document.createElement("span");
    swipes.className = "swipes";
    const position = document.createElement("span");
    position.className = "place";
    position.textContent = `${place.sibling_index + 1}/${place.sibling_count}`;
    swipes.append(
      toolButton("prev", "Previous swipe", "‹", place.sibling_index === 0),
      " ",
      position,
      " ",
      toolButton("next", "Next swipe", "›", place.sibling_index === place.sibling_count - 1),
    );
    tools.append(swipes);
  }
  tools.append(toolButton("edit", "Edit", "✎"));
  // A greeting (no parent) is not generated: it has swipes (alternate greetings) but no regenerate.
  if (place.role === "assistant" && place.parent_id !== null) tools.append(toolButton("regenerate", "Regenerate", "↻"));
  // Shown on the last bubble only (style.css): the active branch's leaf.
  if (place.role === "assistant") tools.append(toolButton("continue", "Continue", "→"));
  li.append(tools);
}

/** Removes a bubble and everything after it: what a regenerate, an edit or a continue puts anew. */
function dropFrom(li: HTMLLIElement) {
  for (let node: Element | null = li; node; ) {
    const next: Element | null = node.nextElementSibling;
    bubbles.delete((node as HTMLElement).dataset.id ?? "");
    node.remove();
    node = next;
  }
}

/** Replies still streaming, and when each bubble last heard a live frame: a redraw keeps what its history page missed. */
const streaming = new Set<string>();
const touched = new Map<string, number>();
let clock = 0;
let drawing = 0;
const touch = (id: string) => touched.set(id, ++clock);

/**
 * Draws the active branch from history (its latest 50 messages). Bubbles of live frames that came
 * after the page was asked for (a reply streaming into the new branch) stay, after it.
 */
async function redraw(): Promise<{ total: number; more: boolean } | undefined> {
  if (!client || !sessionInput.value) return undefined;
  const ticket = ++drawing;
  const since = clock;
  const page = await client.getHistory(sessionInput.value, { limit: 50, order: "desc" });
  // A newer redraw is on its way: it draws.
  if (ticket !== drawing) return undefined;
  const listed = new Set(page.messages.map((m) => m.id));
  const keep = (id: string) => !listed.has(id) && (streaming.has(id) || (touched.get(id) ?? -1) > since);
  const live = [...messages.querySelectorAll<HTMLLIElement>(":scope > li")].filter((li) => keep(li.dataset.id ?? ""));
  for (const [id, at] of touched) if (at <= since) touched.delete(id);
  messages.replaceChildren();
  bubbles.clear();
  for (const message of page.messages.reverse()) {
    const li = bubble(message.id, message.role, message.content, message.role === "assistant" ? message.character_id : undefined);
    decorate(li, message);
    if (message.role === "assistant") setMeta(li, replyMeta(message.metadata));
    showMemoryTag(li, message.metadata);
    showMedia(li, message.media as Record<string, unknown> | undefined);
  }
  for (const li of live) {
    messages.append(li);
    bubbles.set(li.dataset.id!, li);
  }
  messages.scrollTop = messages.scrollHeight;
  return { total: page.total_count, more: page.has_more };
}

/** Runs a change of the tree; if it fails, the conversation is drawn again as it is. */
function change(run: () => Promise<unknown>) {
  if (!socket) return;
  // The reply being spoken makes way, as for a new message.
  voice.unlock();
  voice.stop();
  run().catch(async (error: unknown) => {
    await redraw().catch(() => undefined);
    failed(error);
  });
}

/** Swipes to the neighbouring sibling (found with the HTTP client), over the socket. */
async function swipe(li: HTMLLIElement, step: -1 | 1) {
  const { siblings } = await client!.siblings(sessionInput.value, li.dataset.id!);
  const neighbour = siblings[siblings.findIndex((m) => m.id === li.dataset.id) + step];
  if (neighbour) await socket!.select(neighbour.id);
}

/** Edits a bubble in place: Enter saves (a new sibling), Escape gives up. */
function startEditing(li: HTMLLIElement) {
  const text = li.querySelector<HTMLElement>(":scope > .text")!;
  const value = text.textContent ?? "";
  editInPlace(li, text, { className: "edit-box", label: "Edit message", value, rows: Math.min(8, value.split("\n").length + 1) }, (content) => {
    // An edited user message is answered: the new message and its reply take this place.
    if (li.classList.contains("user")) dropFrom(li);
    else text.textContent = content;
    const id = li.dataset.id!;
    change(() => socket!.edit(id, content, { media: mediaToggle.checked, userId: memory.userId() }));
  });
}

messages.addEventListener("click", (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
  const li = button?.closest<HTMLLIElement>("#messages > li");
  if (!button || !li || !socket || !client) return;
  const id = li.dataset.id!;
  const media = mediaToggle.checked;
  const userId = memory.userId();
  switch (button.dataset.action) {
    case "prev":
    case "next":
      change(() => swipe(li, button.dataset.action === "prev" ? -1 : 1));
      break;
    case "regenerate":
      // The new swipe streams in where this reply was.
      dropFrom(li);
      change(() => socket!.regenerate(id, { media, userId }));
      break;
    case "continue":
      // The continued reply streams in again from its old text.
      dropFrom(li);
      change(() => socket!.continue(id, { media, userId }));
      break;
    case "edit":
      startEditing(li);
      break;
  }
});

/** Shows a reply's media: players once URLs are ready, a progress bar while jobs run. */
function showMedia(li: HTMLLIElement, media: Record<string, unknown> | null | undefined) {
  if (!media) return;
  for (const kind of ["audio", "video"] as const) {
    const url = media[`${kind}_url`];
    const state = (media[`${kind}_status`] ?? media.status) as string | undefined;
    const ready = typeof url === "string" && (state === undefined || state === "completed" || state === "ready");
    let player = li.querySelector<HTMLMediaElement>(kind);
    let bar = li.querySelector<HTMLProgressElement>(`progress[data-kind="${kind}"]`);
    if (ready && !player) {
      bar?.remove();
      player = document.createElement(kind);
      player.controls = true;
      player.src = url;
      player.dataset.testid = `${kind}-player`;
      addToBubble(li, player);
    } else if (!ready && typeof url === "string" && state !== "failed") {
      if (!bar) {
        bar = document.createElement("progress");
        bar.dataset.kind = kind;
        bar.max = 100;
        addToBubble(li, bar);
      }
      bar.title = `${kind}: ${state ?? "pending"}`;
      const requestId = media[`${kind}_request_id`];
      if (typeof requestId === "string") watchProgress(requestId, bar);
    } else if (state === "failed") {
      bar?.remove();
      setMeta(li, `${kind} failed`);
    }
  }
  // The character's face while its video is made, then the video (playground/reply-video.ts).
  showReplyFace(li, media, li.dataset.character ?? characterSelect.value, (element) => addToBubble(li, element));
}

const watched = new Set<string>();
let errors = 0;

/** Polls a media job's status for its progress until a `media` frame replaces the bar with a player. */
function watchProgress(requestId: string, bar: HTMLProgressElement) {
  if (watched.has(requestId) || !client) return;
  watched.add(requestId);
  const poll = async () => {
    if (!bar.isConnected) return;
    const job = await client!.getMediaStatus(requestId).catch(() => undefined);
    if (job && typeof job.progress === "number") bar.value = job.progress;
    if (job && ["completed", "failed", "canceled"].includes(job.status)) return;
    setTimeout(poll, 500);
  };
  void poll();
}

function onFrame(frame: ServerFrame) {
  // A group's speakers for this turn (playground/group.ts).
  group.onFrame(frame);
  switch (frame.type) {
    case "user_message":
      touch(frame.message_id);
      decorate(bubble(frame.message_id, "user", frame.content), { role: "user", ...frame });
      break;
    case "typing": {
      const typist = group.active() ? group.typing(frame.character_id) : `${characterSelect.selectedOptions[0]?.text ?? "The character"} is typing…`;
      say(frame.is_typing ? typist : "");
      break;
    }
    case "response_chunk": {
      streaming.add(frame.message_id);
      touch(frame.message_id);
      const li = bubble(frame.message_id, "assistant", "", frame.character_id);
      textOf(li).textContent += frame.delta;
      break;
    }
    case "response": {
      streaming.delete(frame.message_id);
      touch(frame.message_id);
      const li = bubble(frame.message_id, "assistant", frame.content, frame.character_id);
      decorate(li, { role: "assistant", ...frame });
      setMeta(li, replyMeta(frame.metadata, frame.cancelled));
      showMemoryTag(li, frame.metadata);
      showMedia(li, frame.media);
      // In a group, the turn goes on until its last speaker has answered.
      generating = group.awaiting();
      syncStop();
      // The turn's facts are extracted after the reply: the memory panel looks for them.
      void memory.afterReply();
      break;
    }
    case "media":
      showMedia(bubble(frame.message_id, "assistant"), frame.media);
      break;
    case "branch":
      // The active branch changed (here or in another tab): draw it again.
      redraw().catch(failed);
      break;
    case "error":
      // Turns run one at a time: an error ends the one that was streaming (in a group, its speaker's reply: the next ones still come).
      streaming.clear();
      bubble(`error-${++errors}`, "error", `${frame.code}: ${frame.message}`, frame.character_id);
      generating = group.awaiting();
      syncStop();
      break;
  }
}

async function connect() {
  localStorage.setItem("chattr.key", keyInput.value.trim());
  client = new ChatacterClient(location.origin, keyInput.value.trim());
  try {
    const { characters } = await client.getCharacters();
    rememberAvatars(characters);
    characterSelect.replaceChildren(...characters.map((c) => new Option(c.name, c.id)));
    group.characters(characters);
  } catch (error) {
    return failed(error);
  }
  void lore.refresh();
  voiceSample.refresh();
  socket?.close();
  unfollowVoice?.();
  socket = client.connect({ sessionId: sessionInput.value.trim() || undefined });
  // Replies' speech, chunk by chunk as it is made (playground/reply-voice.ts).
  unfollowVoice = voice.follow(socket);
  for (const type of ["user_message", "typing", "response_chunk", "response", "branch", "media", "error"] as const) socket.on(type, onFrame);
  say("Connecting…");
  try {
    const sessionId = await socket.ready;
    sessionInput.value = sessionId;
    localStorage.setItem("chattr.session", sessionId);
    await group.load(sessionId);
    await redraw().catch(failed);
    void memory.refresh();
    sendButton.disabled = false;
    previewButton.disabled = false;
    syncStop();
    say(`Connected to session ${sessionId}`);
  } catch (error) {
    say(`Could not connect: ${(error as Error).message}`);
  }
}

async function loadHistory() {
  const drawn = await redraw();
  if (drawn) say(`${drawn.total} messages${drawn.more ? " (showing the latest 50)" : ""}`);
}

// The selected character's lorebooks, and the next prompt for what is typed (playground/lore.ts).
const lore = setupLore({
  client: () => client,
  characterId: () => characterSelect.value,
  characterName: () => characterSelect.selectedOptions[0]?.text ?? characterSelect.value,
  sessionId: () => sessionInput.value,
  userId: () => memory.userId(),
  draft: () => input.value.trim(),
  describe,
});
// The replies' voice, and the selected character's voice sample (playground/reply-voice.ts, voice-sample.ts).
const voice = setupVoice({ bubble: (id) => bubbles.get(id), changed: () => syncStop() });
/** Stop stays usable while a reply is generated and while the character still speaks; Next, while none is generated. */
function syncStop() {
  cancelButton.disabled = !generating && !voice.speaking();
  group.sync(!sendButton.disabled, generating);
}
// Group chats: the picker, each reply's speaker, who answers, Next (playground/group.ts).
const group = setupGroup({
  client: () => client,
  open(sessionId) {
    sessionInput.value = sessionId;
    void connect();
  },
  describe,
});
const voiceSample = setupVoiceSample({
  client: () => client,
  characterId: () => characterSelect.value,
  characterName: () => characterSelect.selectedOptions[0]?.text ?? characterSelect.value,
  describe,
});
// The user id sent with every turn, and what the character remembers of that user (playground/memory.ts).
const memory = setupMemory({
  client: () => client,
  characterId: () => characterSelect.value,
  characterName: () => characterSelect.selectedOptions[0]?.text ?? characterSelect.value,
  sessionId: () => sessionInput.value,
  describe,
});
characterSelect.addEventListener("change", () => {
  lore.closePreview();
  void lore.refresh();
  void memory.refresh();
  voiceSample.refresh();
});

$("connect").addEventListener("click", () => {
  voice.unlock();
  void connect();
});
$("load-history").addEventListener("click", () => void loadHistory().catch(failed));
$("clear-history").addEventListener("click", async () => {
  if (!client || !sessionInput.value || !confirm("Clear this conversation?")) return;
  await client.clearHistory(sessionInput.value).catch((e) => say(String(e.message ?? e)));
  voice.stop();
  messages.replaceChildren();
  bubbles.clear();
  say("History cleared");
});
cancelButton.addEventListener("click", () => {
  if (generating) socket?.cancel();
  voice.stop();
});
$<HTMLFormElement>("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!socket || !text) return;
  input.value = "";
  generating = true;
  syncStop();
  lore.closePreview();
  // A new message silences the reply being spoken; the click or Enter that sent it lets audio start.
  voice.unlock();
  voice.stop();
  // In a group, the member picked, or none: the speakers the group's strategy picks answer.
  const characterId = group.active() ? group.speaker() : characterSelect.value;
  socket.send(text, { characterId, media: mediaToggle.checked, userId: memory.userId() }).catch((error: Error) => {
    generating = false;
    syncStop();
    say(error.message);
  });
});
// A group's auto mode: a character speaks with no message from the user. The replies before it make
// way as the server says (what they have said plays out; the rest of their speech is not made).
nextButton.addEventListener("click", () => {
  if (!client || !socket || !group.active()) return;
  generating = true;
  syncStop();
  voice.unlock();
  voice.settle();
  client.next(sessionInput.value, { characterId: group.speaker(), media: mediaToggle.checked, userId: memory.userId() }).catch((error: unknown) => {
    generating = false;
    syncStop();
    failed(error);
  });
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $<HTMLFormElement>("composer").requestSubmit();
  }
});
if (keyInput.value) void connect();
