let holders = 0;
let handle: ReturnType<typeof setInterval> | undefined;

/**
 * Keeps the process open while a caller awaits a result (core's own timers are unreferenced so
 * background work never keeps a process alive; a caller waiting in a retry backoff must).
 * Returns the function that lets go; calling it twice is harmless.
 */
export function holdOpen(): () => void {
  if (holders++ === 0) handle = setInterval(() => undefined, 1 << 30);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders === 0 && handle !== undefined) {
      clearInterval(handle);
      handle = undefined;
    }
  };
}

/** Runs `work`, keeping the process open until it settles. */
export async function whileHeldOpen<T>(work: () => Promise<T>): Promise<T> {
  const release = holdOpen();
  try {
    return await work();
  } finally {
    release();
  }
}
