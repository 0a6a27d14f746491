// The order services deploy in: dependencies first (topological, ties in file order); unknown names and cycles are config errors.

/** A problem with `depends_on`, at the key path that causes it. */
export interface OrderIssue { path: (string | number)[]; message: string }

export type OrderResult = { order: string[] } | { issues: OrderIssue[] };

/**
 * Depth-first topological sort. Ties keep the order services are written in, so a plan reads like the file.
 * Every unknown name is reported; one cycle is reported with its whole path (a → b → a).
 */
export function serviceOrder(deps: Readonly<Record<string, readonly string[] | undefined>>): OrderResult {
  const names = Object.keys(deps);
  const issues: OrderIssue[] = [];
  for (const name of names) {
    (deps[name] ?? []).forEach((d, i) => {
      if (d === name) issues.push({ path: ['services', name, 'depends_on', i], message: `${name} depends on itself` });
      else if (!Object.hasOwn(deps, d)) issues.push({ path: ['services', name, 'depends_on', i], message: `unknown service "${d}" (services: ${names.join(', ')})` });
    });
  }
  if (issues.length > 0) return { issues };
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): OrderIssue | null => {
    const s = state.get(name);
    if (s === 'done') return null;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      return { path: ['services', trail[trail.length - 1] ?? name, 'depends_on'], message: `dependency cycle: ${cycle.join(' → ')}` };
    }
    state.set(name, 'visiting');
    for (const d of deps[name] ?? []) {
      const issue = visit(d, [...trail, name]);
      if (issue) return issue;
    }
    state.set(name, 'done');
    order.push(name);
    return null;
  };
  for (const name of names) {
    const issue = visit(name, []);
    if (issue) return { issues: [issue] };
  }
  return { order };
}

/** The services a run touches: all in order, or `only` alone; `assumed` are the ones `only` depends on (directly or not). */
export function selectServices(order: readonly string[], deps: Readonly<Record<string, readonly string[] | undefined>>, only: string | null): { run: string[]; assumed: string[] } {
  if (only === null) return { run: [...order], assumed: [] };
  const needed = new Set<string>();
  const walk = (n: string): void => { for (const d of deps[n] ?? []) if (!needed.has(d)) { needed.add(d); walk(d); } };
  walk(only);
  return { run: [only], assumed: order.filter((n) => needed.has(n)) };
}
