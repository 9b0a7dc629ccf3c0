/**
 * Runs tasks one at a time in arrival order. A Durable Object's input gate opens while it awaits
 * the LLM, so without this two turns of one session could interleave their writes.
 */
export class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task).finally(() => this.waiting--);
    this.tail = result.catch(() => undefined);
    return result;
  }

  get depth(): number {
    return this.waiting;
  }
}
