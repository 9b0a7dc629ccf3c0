import { ChatacterClient, ChatacterError, type ChatSocket, type ServerFrame } from "../shared/client/index.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const keyInput = $<HTMLInputElement>("api-key");
const characterSelect = $<HTMLSelectElement>("character");
const sessionInput = $<HTMLInputElement>("session");
const mediaToggle = $<HTMLInputElement>("media");
const messages = $<HTMLOListElement>("messages");
const status = $<HTMLParagraphElement>("status");
const input = $<HTMLTextAreaElement>("input");
const sendButton = $<HTMLButtonElement>("send");
const cancelButton = $<HTMLButtonElement>("cancel");

let client: ChatacterClient | undefined;
let socket: ChatSocket | undefined;
keyInput.value = localStorage.getItem("chattr.key") ?? "";
sessionInput.value = localStorage.getItem("chattr.session") ?? "";

const say = (text: string) => (status.textContent = text);
const bubbles = new Map<string, HTMLLIElement>();

function bubble(id: string, role: "user" | "assistant" | "error", text = ""): HTMLLIElement {
  let li = bubbles.get(id);
  if (!li) {
    li = document.createElement("li");
    li.className = role;
    li.dataset.id = id;
    li.append(document.createElement("span"));
    messages.append(li);
    bubbles.set(id, li);
  }
  if (text) li.firstElementChild!.textContent = text;
  messages.scrollTop = messages.scrollHeight;
  return li;
}

function setMeta(li: HTMLLIElement, text: string) {
  let meta = li.querySelector<HTMLElement>(".meta");
  if (!meta) {
    meta = document.createElement("span");
    meta.className = "meta";
    li.append(meta);
  }
  meta.textContent = text;
}

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
      li.append(player);
    } else if (!ready && typeof url === "string" && state !== "failed") {
      if (!bar) {
        bar = document.createElement("progress");
        bar.dataset.kind = kind;
        bar.max = 100;
        li.append(bar);
      }
      bar.title = `${kind}: ${state ?? "pending"}`;
      const requestId = media[`${kind}_request_id`];
      if (typeof requestId === "string") watchProgress(requestId, bar);
    } else if (state === "failed") {
      bar?.remove();
      setMeta(li, `${kind} failed`);
    }
  }
}

const watched = new Set<string>();

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
  switch (frame.type) {
    case "user_message":
      bubble(frame.message_id, "user", frame.content);
      break;
    case "typing":
      say(frame.is_typing ? `${characterSelect.selectedOptions[0]?.text ?? "The character"} is typing…` : "");
      break;
    case "response_chunk": {
      const li = bubble(frame.message_id, "assistant");
      li.firstElementChild!.textContent += frame.delta;
      break;
    }
    case "response": {
      const li = bubble(frame.message_id, "assistant", frame.content);
      const m = frame.metadata;
      setMeta(li, `${m.response_time_ms} ms${m.tokens_used === null ? "" : ` · ${m.tokens_used} tokens`}${frame.cancelled ? " · stopped" : ""}`);
      showMedia(li, frame.media);
      cancelButton.disabled = true;
      break;
    }
    case "media":
      showMedia(bubble(frame.message_id, "assistant"), frame.media);
      break;
    case "error":
      bubble(`error-${Date.now()}`, "error", `${frame.code}: ${frame.message}`);
      cancelButton.disabled = true;
      break;
  }
}

async function connect() {
  localStorage.setItem("chattr.key", keyInput.value.trim());
  client = new ChatacterClient(location.origin, keyInput.value.trim());
  try {
    const { characters } = await client.getCharacters();
    characterSelect.replaceChildren(...characters.map((c) => new Option(c.name, c.id)));
  } catch (error) {
    return say(error instanceof ChatacterError ? `${error.code}: ${error.message}` : String(error));
  }
  socket?.close();
  socket = client.connect({ sessionId: sessionInput.value.trim() || undefined });
  for (const type of ["user_message", "typing", "response_chunk", "response", "media", "error"] as const) socket.on(type, onFrame);
  say("Connecting…");
  try {
    const sessionId = await socket.ready;
    sessionInput.value = sessionId;
    localStorage.setItem("chattr.session", sessionId);
    sendButton.disabled = false;
    say(`Connected to session ${sessionId}`);
  } catch (error) {
    say(`Could not connect: ${(error as Error).message}`);
  }
}

async function loadHistory() {
  if (!client || !sessionInput.value) return;
  const page = await client.getHistory(sessionInput.value, { limit: 50, order: "desc" });
  messages.replaceChildren();
  bubbles.clear();
  for (const message of page.messages.reverse()) {
    const li = bubble(message.id, message.role, message.content);
    showMedia(li, message.media as Record<string, unknown> | undefined);
  }
  say(`${page.total_count} messages${page.has_more ? " (showing the latest 50)" : ""}`);
}

$("connect").addEventListener("click", () => void connect());
$("load-history").addEventListener("click", () => void loadHistory().catch((e) => say(String(e.message ?? e))));
$("clear-history").addEventListener("click", async () => {
  if (!client || !sessionInput.value || !confirm("Clear this conversation?")) return;
  await client.clearHistory(sessionInput.value).catch((e) => say(String(e.message ?? e)));
  messages.replaceChildren();
  bubbles.clear();
  say("History cleared");
});
cancelButton.addEventListener("click", () => socket?.cancel());
$<HTMLFormElement>("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!socket || !text) return;
  input.value = "";
  cancelButton.disabled = false;
  socket.send(text, { characterId: characterSelect.value, media: mediaToggle.checked }).catch((error: Error) => say(error.message));
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $<HTMLFormElement>("composer").requestSubmit();
  }
});
if (keyInput.value) void connect();
