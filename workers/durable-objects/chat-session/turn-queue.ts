/**
 * Runs tasks one at a time in arrival order. A Durable Object's input gate opens while it awaits
 * the LLM, so without this two turns of one session could interleave their writes.
 */
export class TurnQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Runs `task` after every task queued before it has settled; its failure does not stop the next. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined).finally(() => this.waiting--);
    return result;
  }

  /** Whether a task is running or queued. */
  get busy(): boolean {
    return this.waiting > 0;
  }
}
