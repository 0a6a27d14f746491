// Port signals as the code detectors collect them: valid ports only, and one signal per port and cited line.
import type { Confidence, Evidence, Signal, SourceClass } from './types.js';

export interface PortHit { port: number; evidence: Evidence[]; source: SourceClass; confidence: Confidence }

export interface PortSink {
  readonly out: Signal[];
  /** Adds a signal for a port in 1–65535 with evidence, unless the same port was already cited at its first evidence line. */
  push(hit: PortHit): void;
}

export function portSink(detector: string): PortSink {
  const out: Signal[] = [];
  const seen = new Set<string>();
  return {
    out,
    push(h) {
      const e = h.evidence[0];
      const key = `${h.port}|${e?.file}|${e?.line}`;
      if (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535 || seen.has(key) || !e) return;
      seen.add(key);
      out.push({ kind: 'port', port: h.port, evidence: h.evidence, source: h.source, confidence: h.confidence, detector });
    },
  };
}
