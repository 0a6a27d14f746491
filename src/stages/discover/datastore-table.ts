// Datastore signals from a dependency → datastore table, one signal per datastore and cited line, shared by the ecosystem detectors.
import type { Confidence, Datastore, Evidence, Signal, SourceClass } from './types.js';

/** A dependency (package, gem, crate, module) that is a client for one datastore, and how surely it means the app uses it. */
export type DatastoreRow = readonly [dependency: string, datastore: Datastore, confidence: Confidence];

export interface DatastoreSink {
  readonly out: Signal[];
  /** Adds a signal unless this datastore was already cited at the same file and line. */
  push(value: Datastore, required: boolean | null, evidence: Evidence, source: SourceClass, confidence: Confidence): void;
}

export function datastoreSink(detector: string): DatastoreSink {
  const out: Signal[] = [];
  const seen = new Set<string>();
  return {
    out,
    push(value, required, evidence, source, confidence) {
      const key = `${value}|${evidence.file}|${evidence.line}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ kind: 'datastore', value, required, evidence: [evidence], source, confidence, detector });
    },
  };
}

/**
 * The table's rows whose dependency `declared` finds (its declaration as evidence), in table order, as build-file
 * signals of unknown requiredness: a client library says the app talks to the store, not that it cannot start without it.
 */
export function datastoresFromTable(table: readonly DatastoreRow[], declared: (dependency: string) => Evidence | undefined, sink: DatastoreSink): void {
  for (const [dependency, value, confidence] of table) {
    const evidence = declared(dependency);
    if (evidence) sink.push(value, null, evidence, 'build-file', confidence);
  }
}
