export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export const median = (values: number[]) => percentile(values, 50);

export interface BenchSocket {
  ws: WebSocket;
  send(frame: unknown): void;
  /** Resolves on the next frame that matches. */
  wait(match: (frame: any) => boolean): Promise<any>;
}

export function openSocket(url: string): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const waiters: { match: (f: any) => boolean; resolve: (f: any) => void }[] = [];
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data));
      const i = waiters.findIndex((w) => w.match(frame));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(frame);
    });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)));
    ws.addEventListener("open", () =>
      resolve({
        ws,
        send: (frame) => ws.send(JSON.stringify(frame)),
        wait: (match) => new Promise((res) => waiters.push({ match, resolve: res })),
      }),
    );
  });
}
