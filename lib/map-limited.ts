// Bounded fan-out for backend reads: at most `limit` calls in flight, results in
// input order. With a signal, no new call starts once it aborts (calls already
// in flight get the same signal from the caller and end on their own).

export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
      while (next < items.length) {
        signal?.throwIfAborted();
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
