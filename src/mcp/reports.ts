// Reports produced in this session, kept (masked) so clients can read them again as resources: deckhand://reports/<kind>/<id>.
import { randomUUID } from 'node:crypto';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Enough for a long session; the oldest go first so a server left running does not grow without bound. */
const MAX_REPORTS = 200;

export type StoredKind = 'brief' | 'readiness' | 'plan' | 'execution' | 'verification' | 'rollback' | 'lifecycle' | 'operations' | 'incident';

export interface StoredReport {
  kind: StoredKind;
  id: string;
  uri: string;
  title: string;
  /** The report's JSON, already masked. */
  json: string;
}

export const reportUri = (kind: string, id: string): string => `deckhand://reports/${kind}/${encodeURIComponent(id)}`;

export class ReportStore {
  private readonly reports = new Map<string, StoredReport>();
  onChange: (() => void) | undefined;

  /** Stores a masked report; `id` defaults to a fresh one (a plan keeps its plan id). */
  add(kind: StoredKind, title: string, json: string, id: string = randomUUID().slice(0, 8)): StoredReport {
    const uri = reportUri(kind, id);
    this.reports.delete(uri);
    const r: StoredReport = { kind, id, uri, title, json };
    this.reports.set(uri, r);
    while (this.reports.size > MAX_REPORTS) {
      const oldest = this.reports.keys().next().value;
      if (oldest === undefined) break;
      this.reports.delete(oldest);
    }
    this.onChange?.();
    return r;
  }

  get(kind: string, id: string): StoredReport | undefined {
    return this.reports.get(reportUri(kind, id));
  }

  list(): StoredReport[] {
    return [...this.reports.values()];
  }
}

export function registerReportResources(server: McpServer, store: ReportStore): void {
  const template = new ResourceTemplate('deckhand://reports/{kind}/{id}', {
    list: () => ({
      resources: store.list().map((r) => ({ uri: r.uri, name: `${r.kind}/${r.id}`, title: r.title, mimeType: 'application/json' })),
    }),
  });
  server.registerResource('report', template, {
    title: 'deckhand reports',
    description: 'Reports produced by this server session (JSON, secrets masked): brief, readiness, plan, execution, verification, rollback, lifecycle',
    mimeType: 'application/json',
  }, (uri, vars) => {
    const kind = String(vars.kind ?? '');
    const id = decodeURIComponent(String(vars.id ?? ''));
    const r = store.get(kind, id);
    if (!r) throw new Error(`no report ${kind}/${id} in this session (list the resources to see what there is)`);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: r.json }] };
  });
  store.onChange = () => server.sendResourceListChanged();
}
