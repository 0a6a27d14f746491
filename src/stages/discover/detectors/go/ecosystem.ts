// Go ecosystem, language, package manager (go modules), install/build/start commands for the main package, and CGO / local-replace risks.
import { cite } from '../../evidence.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { citeGo, directRequire, goApp, mainPackages } from './common.js';

const NAME = 'go-ecosystem';

export const goEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const { mod } = app;
    const out: Signal[] = [];
    const ev: Evidence[] = [mod.moduleEvidence];
    const base = { source: 'build-file', confidence: 'high', detector: NAME } as const;
    out.push({ kind: 'ecosystem', value: 'go', evidence: ev, ...base });
    out.push({ kind: 'language', value: 'go', evidence: ev, ...base });
    // No version: the go directive is a language minimum, reported as the runtime, not a version of the module tool.
    out.push({ kind: 'package-manager', value: 'go modules', evidence: ev, ...base });
    out.push({ kind: 'command', role: 'install', command: 'go mod download', production: true, evidence: ev, ...base });
    const mains = mainPackages(ctx, app);
    const main = mains[0];
    if (main) {
      // Several cmd/ binaries: the first is proposed, with medium confidence since another may be the server.
      const confidence = mains.length > 1 ? 'medium' : 'high';
      out.push({ kind: 'command', role: 'build', command: `go build -o bin/${main.name} ${main.rel}`, production: true, evidence: [main.evidence], source: 'code', confidence, detector: NAME });
      out.push({ kind: 'command', role: 'start', command: `./bin/${main.name}`, production: true, evidence: [main.evidence], source: 'code', confidence, detector: NAME });
    }
    // CGO: `import "C"` in any source, or a driver that needs it.
    const cgo: Evidence[] = [];
    for (const s of app.sources) {
      const m = /^\s*import\s+"C"\s*$|^\s*"C"\s*$/m.exec(s.code);
      if (m) { cgo.push(citeGo(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length))); break; }
    }
    const sqlite3 = directRequire(mod, 'github.com/mattn/go-sqlite3', 'github.com/confluentinc/confluent-kafka-go');
    if (sqlite3) cgo.push(sqlite3.evidence);
    if (cgo.length > 0) {
      out.push({ kind: 'risk', severity: 'warning', message: 'CGO needed (CGO_ENABLED=1 and a C toolchain)', evidence: cgo, source: 'code', confidence: 'high', detector: NAME });
    }
    // `replace x => ../lib`: the build needs files outside the app directory.
    for (const m of mod.text.matchAll(/^[ \t]*(?:replace[ \t]+)?(\S+)(?:[ \t]+\S+)?[ \t]*=>[ \t]*(\.\.\/\S*)/gm)) {
      out.push({
        kind: 'risk', severity: 'warning', message: `go.mod replaces ${m[1] ?? 'a module'} with ${m[2] ?? 'a local path'} outside the app directory: build from a context that includes it`,
        evidence: [cite(mod.path, mod.text, m.index + (m[0].length - m[0].trimStart().length))], source: 'build-file', confidence: 'high', detector: NAME,
      });
    }
    return out;
  },
};
