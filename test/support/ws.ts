import { exports } from "cloudflare:workers";

const worker = (exports as unknown as { default: Fetcher }).default;

export interface TestSocket {
  ws: WebSocket;
  frames: any[];
  send(frame: unknown): void;
  /** Resolves with the first frame (from the start of the connection) matching `match` that was not taken before. */
  next(match: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
  isOpen(): boolean;
}

/** Opens a real WebSocket to the Worker under test. */
export async function connect(query = ""): Promise<TestSocket> {
  const res = await worker.fetch(`http://localhost/api/v1/ws/chat${query}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status} ${await res.text()}`);
  ws.accept();
  const frames: any[] = [];
  const taken = new Set<number>();
  const listeners = new Set<() => void>();
  let open = true;
  ws.addEventListener("message", (event) => {
    frames.push(JSON.parse(event.data as string));
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (event) => {
      open = false;
      resolve({ code: event.code, reason: event.reason });
      for (const listener of listeners) listener();
    }),
  );
  return {
    ws,
    frames,
    closed,
    isOpen: () => open,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = frames.findIndex((f, i) => !taken.has(i) && match(f));
          if (index < 0) return false;
          taken.add(index);
          listeners.delete(check);
          clearTimeout(timer);
          resolve(frames[index]);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
  };
}

export const ofType = (type: string) => (frame: any) => frame.type === type;
