import { expect, it } from "vitest";
import { fullHistory, send } from "../support/api";

it("answers ten concurrent messages to one session one after another, none lost or duplicated", async () => {
  const session_id = "busy";
  const texts = Array.from({ length: 10 }, (_, i) => `concurrent ${i}`);
  const replies = await Promise.all(texts.map((message) => send({ message, session_id })));
  expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));

  const all = await fullHistory(session_id);
  expect(all).toHaveLength(20);
  // Strict alternation: every reply directly follows the message it answers.
  for (let i = 0; i < 20; i += 2) {
    expect(all[i].role).toBe("user");
    expect(all[i + 1].role).toBe("assistant");
    expect(all[i + 1].content).toContain(`"${all[i].content}"`);
    expect(all[i + 1].parent_id).toBe(all[i].id);
  }
  expect(
    all
      .filter((m) => m.role === "user")
      .map((m) => m.content)
      .sort(),
  ).toEqual([...texts].sort());
  // Each turn saw every turn stored before it: turns were serialised, not interleaved.
  all
    .filter((m) => m.role === "assistant")
    .forEach((reply, turn) => {
      expect(reply.content).toContain(`I can see ${turn * 2} earlier messages`);
    });
  for (const reply of replies) {
    const stored = all.find((m) => m.id === reply.json.message_id);
    expect(stored.content).toBe(reply.json.response);
  }
});
