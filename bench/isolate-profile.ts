/** A sampling CPU profile of a `wrangler dev` Worker's isolate, through its DevTools inspector (wrangler's inspector proxy). */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Samples the Worker's isolate while `during` runs; answers self time per function, largest first. */
export async function profileWorker(inspectorPort: number, during: () => Promise<unknown>) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  // The inspector proxy of `wrangler dev` accepts DevTools origins only.
  const ws = new (WebSocket as any)(targets[0]!.webSocketDebuggerUrl, { headers: { Origin: "https://devtools.devprod.cloudflare.dev" } }) as WebSocket;
  await new Promise((resolve) => ws.addEventListener("open", resolve));
  let id = 0;
  const pending = new Map<number, (result: any) => void>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params = {}) =>
    new Promise<any>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  await during();
  const { profile } = (await send("Profiler.stop")) as { profile: { nodes: ProfileNode[] } };
  ws.close();
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const file = node.callFrame.url.split("/").slice(-2).join("/");
    const name = `${node.callFrame.functionName || "(anonymous)"} ${file ? `${file}:${node.callFrame.lineNumber + 1}` : ""}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, hits]) => ({ name, share: hits / total }));
}
