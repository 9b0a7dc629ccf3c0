/**
 * The LLM emulator's answers to the memory code's two background prompts, recognised by a phrase in their
 * system message: fact extraction ("durable facts about the user") and the rolling summary ("rolling
 * summary"). Deterministic rules stand in for the model, so tests can predict every operation.
 */

interface Message {
  role: string;
  content: string;
}

type FactOperation = { op: "ADD"; content: string } | { op: "UPDATE"; id: string; content: string } | { op: "DELETE"; id: string };

/** What a model answers when it ignores the format: content that is not JSON. */
const EXTRACTION_GARBAGE = "Sure! Here are the facts: none really";

// Fault markers steer the emulator; they are not part of what the user said.
const withoutMarkers = (text: string) =>
  text
    .replace(/\[\[[^\]]*\]\]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
const comparable = (text: string) => text.trim().replace(/\.+$/, "").toLowerCase();
const firstWords = (text: string, n: number) => comparable(text).split(/\s+/).slice(0, n).join(" ");
const sentencesOf = (text: string) =>
  text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The lines of `text` between the line `start` and the line `end` (or its end). */
function section(text: string, start: string, end?: string): string[] {
  const lines = text.split("\n");
  const from = lines.findIndex((line) => line.trim() === start);
  if (from < 0) return [];
  const to = end === undefined ? -1 : lines.findIndex((line, i) => i > from && line.trim() === end);
  return lines.slice(from + 1, to < 0 ? undefined : to);
}

/**
 * From the exchange's `User:` line only: a sentence starting "I ", "I'm", "I am" or "My" is a fact (ADD,
 * or UPDATE of the known fact that starts with the same three words, unless it is already known);
 * "Forget that X" deletes every known fact containing X.
 */
function extractFacts(prompt: string): string {
  const known = section(prompt, "Known facts:", "Exchange:").flatMap((line) => {
    const match = line.match(/^\[([^\]]+)\]\s*(.*)$/);
    return match ? [{ id: match[1]!, content: match[2]! }] : [];
  });
  const userLine = section(prompt, "Exchange:").find((line) => line.startsWith("User:"));
  if (userLine === undefined) return JSON.stringify({ operations: [] });
  if (userLine.includes("[[garbage]]")) return EXTRACTION_GARBAGE;
  const operations: FactOperation[] = [];
  for (const sentence of sentencesOf(withoutMarkers(userLine.slice("User:".length)))) {
    const forget = sentence.match(/^forget that\s+(.+)$/i);
    if (forget) {
      const target = comparable(forget[1]!);
      for (const fact of known) if (fact.content.toLowerCase().includes(target)) operations.push({ op: "DELETE", id: fact.id });
      continue;
    }
    if (!/^(i |i['’]m |i am |my )/i.test(sentence)) continue;
    const content = `${sentence.replace(/[.!?]+$/, "")}.`;
    if (known.some((fact) => comparable(fact.content) === comparable(content))) continue;
    const same = known.find((fact) => firstWords(fact.content, 3) === firstWords(content, 3));
    operations.push(same ? { op: "UPDATE", id: same.id, content } : { op: "ADD", content });
  }
  return JSON.stringify({ operations });
}

/** The previous summary (without its "Summary: ") and, per new message, `Name said "its first six words"`. */
function summarize(prompt: string): string {
  const previous = section(prompt, "Summary so far:", "New messages:")
    .join(" ")
    .trim()
    .replace(/^Summary:\s*/, "")
    .replace(/\.+$/, "");
  const said = section(prompt, "New messages:").flatMap((line) => {
    const match = line.match(/^([^:]+):\s*(.*)$/);
    if (!match) return [];
    const words = withoutMarkers(match[2]!).split(/\s+/).filter(Boolean).slice(0, 6);
    return [`${match[1]!.trim()} said "${words.join(" ")}"`];
  });
  const parts = [...(previous && previous !== "(none)" ? [previous] : []), ...said];
  return `Summary: ${parts.join("; ")}.`;
}

/** The answer to a memory prompt, or undefined when `messages` are an ordinary turn. */
export function memoryReplyFor(messages: Message[]): string | undefined {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const last = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  if (system.includes("durable facts about the user")) return extractFacts(last);
  if (system.includes("rolling summary")) return summarize(last);
  return undefined;
}
