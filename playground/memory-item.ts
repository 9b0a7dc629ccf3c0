import type { ListedMemory, MemoryChanges, UsedMemory } from "../shared/client/index.js";
import { editInPlace, element } from "./dom.js";

/** What an item of the memory panel does when its buttons are used; the panel lists again after each. */
export interface MemoryActions {
  update(id: string, changes: MemoryChanges): Promise<unknown>;
  remove(id: string): Promise<unknown>;
}

function button(className: string, label: string, text: string): HTMLButtonElement {
  const node = element("button", `secondary ${className}`, text);
  node.type = "button";
  node.title = label;
  node.setAttribute("aria-label", label);
  return node;
}

/** A search score: the fused one shown, the two it fuses in the tooltip. */
function scoreBadge(memory: ListedMemory): HTMLElement | undefined {
  if (memory.score === undefined) return undefined;
  const badge = element("span", "score", `score ${memory.score.toFixed(3)}`);
  const part = (name: string, value: number | null | undefined) => (value === null || value === undefined ? `${name} –` : `${name} ${value.toFixed(3)}`);
  badge.title = `${part("vector", memory.vector_score)} · ${part("text", memory.text_score)}`;
  return badge;
}

/** Edits the text in place: Enter saves, Escape gives up. */
function startEditing(li: HTMLLIElement, memory: ListedMemory, actions: MemoryActions) {
  const text = li.querySelector<HTMLElement>(".memory-text")!;
  editInPlace(li, text, { className: "memory-edit", label: "Edit memory", value: memory.content, rows: 3, maxLength: 2000 }, (content) => {
    void actions.update(memory.id, { content });
  });
}

/** One memory: its kind, whether it is pinned, its text (and score in a search), and pin, edit and delete. */
export function memoryItem(memory: ListedMemory, actions: MemoryActions): HTMLLIElement {
  const li = element("li", memory.pinned ? "memory pinned" : "memory");
  li.dataset.id = memory.id;
  const head = element("div", "memory-head");
  head.append(element("span", `kind kind-${memory.kind}`, memory.kind));
  if (memory.pinned) head.append(element("span", "pin-state", "always in the prompt"));
  const score = scoreBadge(memory);
  if (score) head.append(score);
  const pin = button("pin", memory.pinned ? "Unpin" : "Pin", memory.pinned ? "Unpin" : "Pin");
  pin.addEventListener("click", () => void actions.update(memory.id, { pinned: !memory.pinned }));
  const edit = button("edit", "Edit memory", "✎");
  edit.addEventListener("click", () => startEditing(li, memory, actions));
  const remove = button("delete", "Delete memory", "×");
  remove.addEventListener("click", () => void actions.remove(memory.id));
  const tools = element("div", "memory-tools");
  tools.append(pin, edit, remove);
  li.append(head, element("span", "memory-text", memory.content), tools);
  return li;
}

/**
 * A reply's "memory: n" tag: how many memories its prompt used (`metadata.memories`), their kinds and
 * scores in the tooltip. Replies whose prompt used none get no tag.
 */
export function showMemoryTag(li: HTMLLIElement, metadata: { memories?: UsedMemory[] } | undefined) {
  li.querySelector(":scope > .memory-tag")?.remove();
  const used = metadata?.memories ?? [];
  if (used.length === 0) return;
  const tag = element("span", "memory-tag", `memory: ${used.length}`);
  tag.title = used.map((m) => (m.score === null ? m.kind : `${m.kind} ${m.score.toFixed(3)}`)).join(", ");
  // Below the text and the meta line, above the tools row, as the bubble's other additions.
  li.insertBefore(tag, li.querySelector(":scope > .tools"));
}
