// The documents deckhand publishes a JSON Schema for: its reports, and deckhand.yml (`config`) for editors.
export const REPORT_KINDS = ['readiness', 'brief', 'execution', 'services', 'fleet', 'verification', 'lifecycle', 'operations', 'proxy', 'config', 'incident'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
