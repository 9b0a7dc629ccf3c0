/**
 * The isolate's uptime. Workers freeze the clock in global scope (it reads as the epoch there), so the
 * start is taken when the isolate serves its first request: uptime is "seconds since this isolate began
 * serving", which is the real lifetime of the process answering.
 */
let startedAt: number | undefined;

export function markIsolateStart(now = Date.now()) {
  startedAt ??= now;
}

export function uptimeSeconds(now = Date.now()): number {
  markIsolateStart(now);
  return Math.max(0, Math.floor((now - startedAt!) / 1000));
}
