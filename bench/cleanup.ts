/**
 * What a benchmark started (stacks run in their own process groups, so they outlive it): stopped at the
 * end, when a row throws, and on Ctrl-C or SIGTERM.
 */
const stoppers = new Set<() => Promise<void>>();

/** Registers a stop; the answer unregisters it (for a stack stopped on purpose before the end). */
export function stopOnExit(stop: () => Promise<void>): () => void {
  stoppers.add(stop);
  return () => stoppers.delete(stop);
}

export async function stopAll(): Promise<void> {
  const all = [...stoppers];
  stoppers.clear();
  await Promise.allSettled(all.map((stop) => stop()));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the stacks`);
    stopAll().finally(() => process.exit(130));
  });
}
