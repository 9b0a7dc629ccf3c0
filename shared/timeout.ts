/**
 * `promise`, or what `onTimeout` gives (or throws) once `ms` have passed: a hung dependency must not hang
 * its caller. The timer is cleared either way. The promise itself is not canceled; pass it an
 * AbortSignal where it takes one.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
