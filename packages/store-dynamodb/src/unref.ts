/** Unreferences a timer where the runtime supports it, so it never keeps a process alive. */
export function unref(timer: unknown): void {
  const t = timer as { unref?: () => void } | null;
  if (t !== null && typeof t === 'object' && typeof t.unref === 'function') t.unref();
}
