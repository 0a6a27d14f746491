// Rust ecosystem, language, package manager (cargo), fetch/build/start/test commands for the binary target, and an invalid Cargo.toml as a problem.
import type { Detector, Evidence, Signal } from '../../types.js';
import { citeLine, relPath, rustApp, upward, type RustApp } from './common.js';

const NAME = 'rust-ecosystem';

/** The binary to run: `default-run`, the only bin, the bin named for the package, else the first (with medium confidence). */
export function mainBin(app: RustApp): { name: string; evidence: Evidence[]; sure: boolean } | null {
  const { bins, defaultRun } = app;
  const chosen = bins.find((b) => b.name === defaultRun?.name);
  if (chosen && defaultRun) return { name: chosen.name, evidence: [chosen.evidence, defaultRun.evidence], sure: true };
  if (bins.length === 1 && bins[0]) return { name: bins[0].name, evidence: [bins[0].evidence], sure: true };
  const b = bins.find((x) => x.name === app.packageName) ?? bins[0];
  return b ? { name: b.name, evidence: [b.evidence], sure: false } : null;
}

export const rustEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const m = app.manifest;
    const out: Signal[] = [];
    const base = { source: 'build-file', confidence: 'high', detector: NAME } as const;
    if (m.error) out.push({ kind: 'problem', message: m.error.message, evidence: [citeLine(m, m.error.line)], ...base });
    const marker: Evidence[] = [m.doc ? citeLine(m, m.lineOf('', 'package') ?? m.lineOf('', 'workspace')) : { file: m.path, line: null }];
    out.push({ kind: 'ecosystem', value: 'rust', evidence: marker, ...base });
    out.push({ kind: 'language', value: 'rust', evidence: marker, ...base });
    const lock = upward(ctx, app, 'Cargo.lock')[0];
    const pmEv: Evidence[] = lock ? [...marker, { file: lock, line: null }] : marker;
    out.push({ kind: 'package-manager', value: 'cargo', evidence: pmEv, ...base });
    if (!m.doc) return out;
    out.push({ kind: 'command', role: 'install', command: 'cargo fetch', production: true, evidence: pmEv, ...base });
    out.push({ kind: 'command', role: 'test', command: 'cargo test', production: false, evidence: marker, ...base });
    const bin = mainBin(app);
    if (bin) {
      // Cargo writes every workspace member's binaries to the workspace root's target/, not the member's.
      const rel = relPath(ctx.appDir, app.workspace?.dir ?? ctx.appDir);
      const confidence = bin.sure ? 'high' : 'medium';
      const build = `cargo build --release${app.bins.length > 1 ? ` --bin ${bin.name}` : ''}`;
      out.push({ kind: 'command', role: 'build', command: build, production: true, evidence: bin.evidence, source: 'build-file', confidence, detector: NAME });
      out.push({ kind: 'command', role: 'start', command: `${rel === '' ? '.' : rel}/target/release/${bin.name}`, production: true, evidence: bin.evidence, source: 'build-file', confidence, detector: NAME });
    }
    return out;
  },
};
