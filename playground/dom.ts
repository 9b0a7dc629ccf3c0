/** The two DOM helpers every panel of the playground uses. */

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/**
 * Edits `text` (a child of `item`) in place in a textarea: Enter saves (`save` gets the trimmed text when
 * it is not empty and changed), Shift+Enter is a new line, Escape gives up.
 */
export function editInPlace(
  item: HTMLElement,
  text: HTMLElement,
  box: { className: string; label: string; value: string; rows: number; maxLength?: number },
  save: (content: string) => void,
): void {
  if (item.classList.contains("editing")) return;
  const area = element("textarea", box.className);
  area.value = box.value;
  area.rows = box.rows;
  if (box.maxLength) area.maxLength = box.maxLength;
  area.setAttribute("aria-label", box.label);
  item.classList.add("editing");
  text.after(area);
  area.focus();
  const stop = () => {
    area.remove();
    item.classList.remove("editing");
  };
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") return stop();
    if (event.key !== "Enter" || event.shiftKey) return;
    event.preventDefault();
    const content = area.value.trim();
    stop();
    if (content && content !== box.value) save(content);
  });
}
