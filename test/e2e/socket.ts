/** A browser-style WebSocket client for the e2e tests: Node's global WebSocket, every frame kept in order. */
export function openSocket(url: string, timeoutMs = 10_000) {
  const ws = new WebSocket(url);
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (event) => {
    frames.push(JSON.parse(String(event.data)));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("connection failed")));
  });
  /** Resolves once the frames so far satisfy `condition`, re-checked as each frame arrives. */
  const whenFrames = (condition: (frames: any[]) => boolean, ms = timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; frames: ${JSON.stringify(frames).slice(0, 3000)}`)), ms);
      const check = () => {
        if (!condition(frames)) return void waiters.push(check);
        clearTimeout(timer);
        resolve();
      };
      check();
    });
  /** The first frame matching `match`, once it has arrived. */
  const until = async (match: (frame: any) => boolean, ms = timeoutMs) => {
    await whenFrames((all) => all.some(match), ms);
    return frames.find(match);
  };
  return { ws, frames, closed, opened, until, whenFrames, send: (frame: unknown) => ws.send(JSON.stringify(frame)) };
}
