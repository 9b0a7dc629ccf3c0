/**
 * Resolves after `ms`. Under Node the timer is unref'd, so an emulator that is closing does not wait
 * for its sleepers; workerd's timers have no unref and need none.
 */
export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer: unknown = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.();
  });
