// Python listen ports from code (app.run, uvicorn.run, PORT env defaults, gunicorn bind) and framework defaults as a fallback.
import { portSink } from '../../port-signals.js';
import type { Confidence, Detector, Evidence, SourceClass } from '../../types.js';
import { pythonApps } from './apps.js';
import { codeMatches, inApp, isPythonApp, safeCite } from './common.js';

const NAME = 'python-port';

const PATTERNS: [RegExp, Confidence][] = [
  // app.run(port=5000), uvicorn.run(app, port=8000), web.run_app(app, port=8080)
  [/\b(?:\w+\.)?(?:run|run_app|serve)\([^)\n]*?\bport\s*=\s*(\d{2,5})\b/g, 'high'],
  // int(os.environ.get("PORT", 8000)) / os.getenv('PORT', '5000') / env.int('PORT', default=8000)
  [/\b(?:os\.)?(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})["']?\s*\)/g, 'medium'],
  [/\benv(?:\.int)?\(\s*["']PORT["']\s*,\s*default\s*=\s*["']?(\d{2,5})["']?/g, 'medium'],
];

const DEFAULTS: Record<string, number> = { django: 8000, flask: 5000, fastapi: 8000 };

export const pythonPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const sink = portSink(NAME);
    const out = sink.out;
    const push = (port: number, ev: Evidence, source: SourceClass, confidence: Confidence): void => sink.push({ port, evidence: [ev], source, confidence });
    for (const s of a.sources) {
      for (const [re, conf] of PATTERNS) for (const m of codeMatches(s.text, re)) push(Number(m[1]), safeCite(s.path, s.text, m.index), 'code', conf);
    }
    for (const rel of ['gunicorn.conf.py', 'gunicorn_config.py', 'gunicorn.config.py']) {
      const file = inApp(ctx.appDir, rel);
      const text = await ctx.repo.read(file);
      if (text === null) continue;
      for (const m of codeMatches(text, /^bind\s*=\s*\[?\s*["'][^"':]*:(\d{2,5})["']/gm)) push(Number(m[1]), safeCite(file, text, m.index), 'code', 'high');
      for (const m of codeMatches(text, /["']PORT["']\s*,\s*["']?(\d{2,5})/g)) push(Number(m[1]), safeCite(file, text, m.index), 'code', 'medium');
    }
    if (out.length === 0) {
      const fw = a.fastapi ? ['fastapi', a.fastapi.evidence] as const : a.flask ? ['flask', a.flask.evidence] as const : a.django ? ['django', a.django.evidence] as const : null;
      const port = fw ? DEFAULTS[fw[0]] : undefined;
      if (fw && port) push(port, fw[1][fw[1].length - 1] ?? { file: inApp(ctx.appDir, 'pyproject.toml'), line: null }, 'fallback', 'low');
    }
    return out;
  },
};
