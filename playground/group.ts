/**
 * Group chats (CHARACTER-ENGINE.md §5): pick characters and a strategy to start a group session; each
 * reply (and a failed speaker's error) under its speaker's name and face; who answers a message, as
 * its `user_message` frame announced them, while they type; who answers next, and Next (a character
 * speaks with no message from the user). A one-character session shows none of it.
 */
import type { ChatacterClient, GroupSession, GroupStrategy, ServerFrame } from "../shared/client/index.js";
import { $, element } from "./dom.js";

/** What the group panel needs from the page. */
export interface GroupHost {
  client(): ChatacterClient | undefined;
  /** Connects the page to a (new group's) session. */
  open(sessionId: string): void;
  describe(error: unknown): string;
}

interface Person {
  name: string;
  avatar_url: string | null;
}

type SpeakerState = "waiting" | "typing" | "done" | "failed";

// Enough to tell the faces without an image apart.
const hueOf = (id: string) => [...id].reduce((hue, c) => (hue * 31 + c.codePointAt(0)!) % 360, 7);

export function setupGroup(host: GroupHost) {
  const picker = $<HTMLFieldSetElement>("group-members");
  const strategySelect = $<HTMLSelectElement>("group-strategy");
  const createButton = $<HTMLButtonElement>("group-create");
  const groupState = $<HTMLSpanElement>("group-state");
  const groupStatus = $<HTMLParagraphElement>("group-status");
  const bar = $<HTMLDivElement>("group-bar");
  const strip = $<HTMLOListElement>("turn-speakers");
  const speakerSelect = $<HTMLSelectElement>("group-speaker");
  const nextButton = $<HTMLButtonElement>("next");

  /** Every character's name and face (from the character list), the members' as the group shows them. */
  const people = new Map<string, Person>();
  let group: GroupSession | undefined;
  /** The speakers of the turn being answered, in order. */
  let turn: { id: string; state: SpeakerState }[] = [];

  const nameOf = (id: string) => people.get(id)?.name ?? id;

  /** A character's face: its avatar, or its initial on a colour of its own. */
  function face(id: string): HTMLElement {
    const initial = () => {
      const badge = element("span", "avatar initial", [...nameOf(id).trim()][0]?.toUpperCase() ?? "?");
      badge.style.setProperty("--hue", String(hueOf(id)));
      return badge;
    };
    const url = people.get(id)?.avatar_url;
    if (!url) return initial();
    const img = element("img", "avatar");
    img.src = url;
    img.alt = "";
    img.width = img.height = 28;
    img.addEventListener("error", () => img.replaceWith(initial()), { once: true });
    return img;
  }

  /** A character's face and name: a reply's header, or one of a turn's speakers. */
  const nameplate = (id: string, tag: "div" | "li", className: string) => {
    const plate = element(tag, className);
    plate.dataset.character = id;
    plate.append(face(id), element("span", "speaker-name", nameOf(id)));
    return plate;
  };

  /** The checkboxes, one per character (what was ticked stays ticked). */
  function characters(list: { id: string; name: string; avatar_url: string | null }[]) {
    for (const c of list) people.set(c.id, { name: c.name, avatar_url: c.avatar_url });
    const ticked = new Set(picked());
    picker.replaceChildren(
      ...list.map((c) => {
        const label = element("label", "inline member");
        const box = element("input");
        box.type = "checkbox";
        box.value = c.id;
        box.checked = ticked.has(c.id);
        label.append(box, face(c.id), element("span", "", c.name));
        return label;
      }),
    );
    syncCreate();
  }

  const picked = () => [...picker.querySelectorAll<HTMLInputElement>("input:checked")].map((box) => box.value);
  const syncCreate = () => (createButton.disabled = !host.client() || picked().length < 2);
  picker.addEventListener("change", syncCreate);

  /** Shows the session as a group, or (a one-character session) shows nothing of groups. */
  function show(session: GroupSession | undefined) {
    group = session && (session.strategy !== "manual" || session.members.length > 1) ? session : undefined;
    turn = [];
    drawTurn();
    bar.hidden = nextButton.hidden = !group;
    groupState.textContent = group ? `· ${group.members.length} in this session` : "";
    groupStatus.textContent = "";
    if (!group) return;
    for (const m of group.members) people.set(m.character_id, { name: m.name, avatar_url: m.avatar_url });
    groupStatus.textContent = `${group.members.map((m) => m.name).join(", ")} (${group.strategy})`;
    const anyone = group.strategy === "manual" ? [] : [new Option("whoever the group picks", "")];
    speakerSelect.replaceChildren(...anyone, ...group.members.map((m) => new Option(m.name, m.character_id)));
  }

  /** The speakers of this turn: waiting, typing, answered or failed; shown until the last has answered. */
  function drawTurn() {
    strip.replaceChildren(
      ...turn.map(({ id, state }) => {
        const item = nameplate(id, "li", `turn-speaker ${state}`);
        item.title = `${nameOf(id)}: ${state}`;
        return item;
      }),
    );
    strip.hidden = !awaiting();
  }

  function mark(id: string, from: SpeakerState[], to: SpeakerState) {
    const speaker = turn.find((s) => s.id === id && from.includes(s.state));
    if (speaker) speaker.state = to;
    return speaker !== undefined;
  }

  const awaiting = () => turn.some((s) => s.state === "waiting" || s.state === "typing");

  createButton.addEventListener("click", async () => {
    const client = host.client();
    if (!client) return;
    createButton.disabled = true;
    groupStatus.textContent = "Starting the group…";
    try {
      const session = await client.createGroup(picked(), { strategy: strategySelect.value as GroupStrategy });
      show(session);
      host.open(session.session_id);
    } catch (error) {
      groupStatus.textContent = host.describe(error);
    }
    syncCreate();
  });

  return {
    characters,
    /** Reads the session's members; a session that cannot say is shown as a one-character one. */
    async load(sessionId: string) {
      show(
        await host
          .client()
          ?.getSession(sessionId)
          .catch(() => undefined),
      );
    },
    active: () => group !== undefined,
    /** Who answers the next message or Next: a member, or undefined for whoever the strategy picks. */
    speaker: () => speakerSelect.value || undefined,
    nameOf,
    /** Puts the speaker's name and face on a reply (or an error) of a group, above its text. */
    label(li: HTMLLIElement, id: string | undefined) {
      if (!group || !id || li.querySelector(":scope > .speaker")) return;
      li.dataset.character = id;
      li.prepend(nameplate(id, "div", "speaker"));
    },
    /** "Ann is typing… (then Ben, Cat)". */
    typing(id: string) {
      const after = turn.filter((s) => s.state === "waiting" && s.id !== id).map((s) => nameOf(s.id));
      return `${nameOf(id)} is typing…${after.length ? ` (then ${after.join(", ")})` : ""}`;
    },
    /** Whether speakers announced for this turn have still to answer. */
    awaiting,
    /** Follows the turn's speakers from the socket's frames. */
    onFrame(frame: ServerFrame) {
      if (!group) return;
      if (frame.type === "user_message") turn = (frame.speakers ?? []).map((id) => ({ id, state: "waiting" }));
      // Next has no user message: its speaker shows when it starts typing.
      else if (frame.type === "typing" && frame.is_typing && !mark(frame.character_id, ["waiting"], "typing"))
        turn = [{ id: frame.character_id, state: "typing" }];
      else if (frame.type === "response") mark(frame.character_id, ["waiting", "typing"], "done");
      else if (frame.type === "error" && frame.character_id) mark(frame.character_id, ["waiting", "typing"], "failed");
      drawTurn();
    },
    /** Next is there for a group, and usable once connected and while no reply is being written. */
    sync(connected: boolean, generating: boolean) {
      nextButton.disabled = !group || !connected || generating;
      syncCreate();
    },
  };
}
