// Python ecosystem, language, package manager (uv, poetry, pipenv, pdm, pip) and its install command; reports invalid TOML manifests.
import { citeMatch, inApp } from '../../evidence.js';
import type { Confidence, DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { devRequirements, isPythonApp, pipfile, pyproject, requirementFiles, tbl, type TomlDoc } from './common.js';

const NAME = 'python-ecosystem';

interface Manager { value: string; install: string; evidence: Evidence[]; confidence: Confidence }

function problem(doc: TomlDoc): Signal | null {
  if (!doc.error) return null;
  return { kind: 'problem', message: doc.error.message, evidence: [{ file: doc.path, line: doc.error.line }], source: 'build-file', confidence: 'high', detector: NAME };
}

/** Lockfiles decide first (they say what the team really runs), then manifest sections, then requirements files. */
async function manager(ctx: DetectContext, py: TomlDoc | null, pf: TomlDoc | null): Promise<Manager | null> {
  const at = (rel: string): string | null => {
    const p = inApp(ctx.appDir, rel);
    if (ctx.repo.has(p)) return p;
    return ctx.appDir !== '' && ctx.repo.has(rel) ? rel : null; // a workspace's shared lockfile
  };
  const uv = at('uv.lock');
  if (uv) return { value: 'uv', install: 'uv sync --frozen --no-dev', evidence: [{ file: uv, line: null }], confidence: 'high' };
  const poetry = at('poetry.lock');
  if (poetry) return { value: 'poetry', install: 'poetry install --only main --no-interaction', evidence: [{ file: poetry, line: null }], confidence: 'high' };
  const pdm = at('pdm.lock');
  if (pdm) return { value: 'pdm', install: 'pdm install --prod --frozen-lockfile', evidence: [{ file: pdm, line: null }], confidence: 'high' };
  const pipLock = at('Pipfile.lock');
  if (pipLock) return { value: 'pipenv', install: 'pipenv install --deploy', evidence: [{ file: pipLock, line: null }], confidence: 'high' };
  if (pf) return { value: 'pipenv', install: 'pipenv install', evidence: [{ file: pf.path, line: null }], confidence: 'medium' };
  if (py) {
    const poetrySection = py.doc ? tbl(py.doc, 'tool', 'poetry') !== undefined : /^\[tool\.poetry[\].]/m.test(py.text);
    if (poetrySection) {
      const ev = citeMatch(py.path, py.text, /^\[tool\.poetry[\].]/m) ?? { file: py.path, line: null };
      return { value: 'poetry', install: 'poetry install --only main --no-interaction', evidence: [ev], confidence: 'medium' };
    }
    const uvSection = citeMatch(py.path, py.text, /^\[tool\.uv[\].]/m);
    if (uvSection) return { value: 'uv', install: 'uv sync --no-dev', evidence: [uvSection], confidence: 'medium' };
    const pdmSection = citeMatch(py.path, py.text, /^\[tool\.pdm[\].]/m);
    if (pdmSection) return { value: 'pdm', install: 'pdm install --prod', evidence: [pdmSection], confidence: 'medium' };
  }
  const reqs = requirementFiles(ctx);
  const main = reqs.find((r) => !devRequirements(r)) ?? reqs[0];
  if (main) {
    const rel = ctx.appDir === '' ? main : main.slice(ctx.appDir.length + 1);
    return { value: 'pip', install: `pip install -r ${rel}`, evidence: [{ file: main, line: null }], confidence: 'high' };
  }
  if (py) {
    const ev = citeMatch(py.path, py.text, /^\[(?:project|build-system)\]/m) ?? { file: py.path, line: null };
    return { value: 'pip', install: 'pip install .', evidence: [ev], confidence: 'medium' };
  }
  return null;
}

export const pythonEcosystemDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const out: Signal[] = [];
    const py = await pyproject(ctx);
    const pf = await pipfile(ctx);
    for (const d of [py, pf]) { const p = d ? problem(d) : null; if (p) out.push(p); }
    // The marker that made this a Python app is the evidence for the ecosystem itself.
    const marker = ['pyproject.toml', 'requirements.txt', 'Pipfile', 'setup.py', 'setup.cfg', 'manage.py', 'uv.lock', 'poetry.lock', 'pdm.lock', 'Pipfile.lock']
      .map((m) => inApp(ctx.appDir, m)).find((p) => ctx.repo.has(p)) ?? requirementFiles(ctx)[0];
    const evidence: Evidence[] = marker ? [{ file: marker, line: null }] : [];
    out.push({ kind: 'ecosystem', value: 'python', evidence, source: 'build-file', confidence: 'high', detector: NAME });
    out.push({ kind: 'language', value: 'python', evidence, source: 'build-file', confidence: 'high', detector: NAME });
    const pm = await manager(ctx, py, pf);
    if (pm) {
      out.push({ kind: 'package-manager', value: pm.value, evidence: pm.evidence, source: 'build-file', confidence: pm.confidence, detector: NAME });
      out.push({ kind: 'command', role: 'install', command: pm.install, production: true, evidence: pm.evidence, source: 'build-file', confidence: pm.confidence, detector: NAME });
    }
    return out;
  },
};
