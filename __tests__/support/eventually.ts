/**
 * Polls until fn returns a value (a node logs asynchronously); fails after timeoutMs. The bound
 * only guards against a hang: it must stay far above anything a loaded machine could need.
 */
export async function eventually<T>(fn: () => T | undefined, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls until check() holds; fails after timeoutMs, naming what it waited for. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  await eventually(() => (check() ? true : undefined), timeoutMs, what);
}
