/**
 * One JSON line per event: `level`, `event` (a snake_case name to search for), then the event's
 * fields. Never pass a key, token or secret: the logs leave the Worker (wrangler tail, Logpush).
 */
export function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error as a log field: its message, not its stack or any object it carries. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
