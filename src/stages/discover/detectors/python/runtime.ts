// Python runtime versions: .python-version, runtime.txt, pyproject requires-python / poetry python, .tool-versions, Pipfile python_version.
import { cite } from '../../evidence.js';
import type { Confidence, DetectContext, Detector, Signal } from '../../types.js';
import { appThenRoot, escapeRe, isPythonApp, pipfile, pyproject, tbl, type TomlDoc } from './common.js';

const NAME = 'python-runtime';

function sig(range: string, file: string, text: string, index: number | null, confidence: Confidence = 'high'): Signal {
  const evidence = index === null ? { file, line: null } : cite(file, text, index);
  return { kind: 'runtime', runtime: 'python', range, evidence: [evidence], source: 'build-file', confidence, detector: NAME };
}

/** First non-empty, non-comment line of a file, with its offset. */
function firstValue(text: string): { value: string; index: number } | null {
  let offset = 0;
  for (const raw of text.split('\n')) {
    const t = raw.replace(/#.*/, '').trim();
    if (t) return { value: t, index: offset + raw.indexOf(t) };
    offset += raw.length + 1;
  }
  return null;
}

/** Offset of `key = ` (optionally inside `[section]`) in TOML text, or null. */
function keyIndex(text: string, key: string, section?: string): number | null {
  let from = 0;
  if (section) {
    const s = new RegExp(`^\\[${escapeRe(section)}\\]\\s*$`, 'm').exec(text);
    if (!s) return null;
    from = s.index;
  }
  const re = new RegExp(`^\\s*"?${escapeRe(key)}"?\\s*=`, 'gm');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index + (m[0].length - m[0].trimStart().length) : null;
}

/** A string value from a parsed doc or, when the TOML is invalid, from the raw text by regex. */
function tomlString(d: TomlDoc, path: string[], key: string, section: string | undefined): { value: string; index: number | null } | null {
  if (d.doc) {
    const t = tbl(d.doc, ...path);
    const v = t?.[key];
    return typeof v === 'string' ? { value: v, index: keyIndex(d.text, key, section) } : null;
  }
  const i = keyIndex(d.text, key, section);
  if (i === null) return null;
  const m = /=\s*(["'])([^"'\n]*)\1/.exec(d.text.slice(i, d.text.indexOf('\n', i) < 0 ? undefined : d.text.indexOf('\n', i)));
  return m?.[2] !== undefined ? { value: m[2], index: i } : null;
}

export const pythonRuntimeDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext) {
    if (!isPythonApp(ctx)) return [];
    const out: Signal[] = [];
    for (const file of appThenRoot(ctx, '.python-version')) {
      const text = await ctx.repo.read(file);
      const v = text === null ? null : firstValue(text);
      // pyenv also accepts names like "system" or a virtualenv name: only versions count.
      const m = v ? /^(?:python-?|cpython-)?(\d+(?:\.\d+){0,2})/.exec(v.value) : null;
      if (v && m?.[1] && text !== null) out.push(sig(m[1], file, text, v.index));
    }
    for (const file of appThenRoot(ctx, 'runtime.txt')) {
      const text = await ctx.repo.read(file);
      const v = text === null ? null : firstValue(text);
      const m = v ? /^python-(\d+(?:\.\d+){0,2})/.exec(v.value) : null;
      if (v && m?.[1] && text !== null) out.push(sig(m[1], file, text, v.index));
    }
    for (const file of appThenRoot(ctx, '.tool-versions')) {
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of text.matchAll(/^[ \t]*python[ \t]+(\d+(?:\.\d+){0,2})/gm)) if (m[1]) out.push(sig(m[1], file, text, m.index));
    }
    const py = await pyproject(ctx);
    if (py) {
      const req = tomlString(py, ['project'], 'requires-python', 'project');
      if (req) out.push(sig(req.value.trim(), py.path, py.text, req.index));
      const poetry = tomlString(py, ['tool', 'poetry', 'dependencies'], 'python', 'tool.poetry.dependencies');
      if (poetry) out.push(sig(poetry.value.trim(), py.path, py.text, poetry.index));
    }
    const pf = await pipfile(ctx);
    if (pf) {
      const v = tomlString(pf, ['requires'], 'python_version', 'requires') ?? tomlString(pf, ['requires'], 'python_full_version', 'requires');
      if (v) out.push(sig(v.value.trim(), pf.path, pf.text, v.index));
    }
    return out;
  },
};
