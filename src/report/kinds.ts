// The report kinds deckhand publishes a JSON Schema for.
export const REPORT_KINDS = ['readiness', 'brief'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
