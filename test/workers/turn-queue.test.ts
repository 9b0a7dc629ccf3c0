import { describe, expect, it } from "vitest";
import { TurnQueue } from "../../workers/durable-objects/chat-session/turn-queue";

/** A task that waits for the test to let it finish, recording when it starts and ends. */
function gatedTask(name: string, log: string[], result = name) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const task = async () => {
    log.push(`start ${name}`);
    await gate;
    log.push(`end ${name}`);
    return result;
  };
  return { task, open };
}

describe("TurnQueue", () => {
  it("runs tasks one at a time, in the order they were queued", async () => {
    const queue = new TurnQueue();
    const log: string[] = [];
    const a = gatedTask("a", log);
    const b = gatedTask("b", log);
    const c = gatedTask("c", log);
    const results = [queue.run(a.task), queue.run(b.task), queue.run(c.task)];
    // b was queued first but c is released first: c still waits for a and b.
    c.open();
    b.open();
    await Promise.resolve();
    expect(log).toEqual(["start a"]);
    a.open();
    expect(await Promise.all(results)).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("goes on after a task fails, and hands the failure to that task's caller only", async () => {
    const queue = new TurnQueue();
    const failed = queue.run(async () => {
      throw new Error("LLM down");
    });
    const next = queue.run(async () => "answered");
    await expect(failed).rejects.toThrow("LLM down");
    expect(await next).toBe("answered");
  });
});
