// Maps over items with at most `limit` calls in flight, results in input order (bounded fan-out to hosts or endpoints).

/** Runs fn on every item, at most `limit` at a time; the results keep the items' order. A rejection rejects the whole. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
