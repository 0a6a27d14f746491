// Python web frameworks (django, flask, fastapi) with their entry modules found in the sources (detail.wsgi / detail.app).
import type { Detector, Signal } from '../../types.js';
import { pythonApps } from './apps.js';
import { isPythonApp } from './common.js';

const NAME = 'python-framework';

export const pythonFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const out: Signal[] = [];
    const base = { source: 'build-file' as const, detector: NAME };
    if (a.django) {
      const detail: Record<string, string> = {};
      if (a.django.settings) detail.settings = a.django.settings;
      if (a.django.wsgi) detail.wsgi = a.django.wsgi;
      if (a.django.asgi) detail.asgi = a.django.asgi;
      out.push({ kind: 'framework', value: 'django', detail, evidence: a.django.evidence, confidence: a.deps.has('django') ? 'high' : 'medium', ...base });
    }
    for (const id of ['flask', 'fastapi'] as const) {
      const app = a[id];
      const dep = a.deps.get(id);
      if (app) {
        const detail: Record<string, string> = { app: app.target };
        if (app.pythonPath) detail.pythonPath = app.pythonPath;
        out.push({ kind: 'framework', value: id, detail, evidence: app.evidence, confidence: dep ? 'high' : 'medium', ...base });
      } else if (dep) {
        out.push({ kind: 'framework', value: id, evidence: [dep.evidence], confidence: dep.dev ? 'low' : 'medium', ...base });
      }
    }
    return out;
  },
};
