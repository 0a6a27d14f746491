// Python start/dev/migrate/build commands: the repo's own production server config first, else a recommended gunicorn/uvicorn (and a risk when it is not a dependency).
import { cite, inApp } from '../../evidence.js';
import type { CommandRole, Confidence, DetectContext, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { pythonApps } from './apps.js';
import { codeMatches, devRequirements, isPythonApp, pyproject, requirementFiles, type Dep, type PySource } from './common.js';

const NAME = 'python-commands';

function cmd(role: CommandRole, command: string, production: boolean, evidence: Evidence[], source: SourceClass, confidence: Confidence): Signal {
  return { kind: 'command', role, command, production, evidence, source, confidence, detector: NAME };
}

const DEV_FLAGS = /\s--reload\b|\brunserver\b|\bflask\s+(?:--app\s+\S+\s+)?run\b|\s--debug\b/;

/** Whether the server the recommended command runs is installed by the project's dependencies. */
function serverDeclared(deps: Map<string, Dep>, server: string): boolean {
  const d = deps.get(server);
  if (d && !d.dev) return true;
  // `fastapi[standard]` / `uvicorn[standard]`-style extras pull uvicorn in; the FastAPI CLI needs it too.
  if (server === 'uvicorn') {
    const f = deps.get('fastapi');
    return f !== undefined && !f.dev && /fastapi\s*\[[^\]]*\b(?:standard|all)\b/i.test(f.evidence.text ?? '');
  }
  return false;
}

/** A top-level module at the app root that builds the Flask app object (`app = create_app(...)`), e.g. autoapp.py. */
function flaskEntry(ctx: DetectContext, sources: readonly PySource[]): string | null {
  const prefix = ctx.appDir === '' ? '' : `${ctx.appDir}/`;
  for (const s of sources) {
    const rel = s.path.slice(prefix.length);
    if (rel.includes('/') || !s.path.startsWith(prefix)) continue;
    if (/^app\s*=\s*(?:\w+\.)*(?:create_app|make_app|Flask)\(/m.test(s.text)) return rel;
  }
  return null;
}

export const pythonCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const out: Signal[] = [];
    const repoStarts: Signal[] = [];

    // Task runners in pyproject (poe, pdm, taskipy, rye, hatch scripts) that launch a server.
    const py = await pyproject(ctx);
    if (py) {
      for (const m of codeMatches(py.text, /["']((?:gunicorn|uvicorn|hypercorn|daphne|granian|waitress-serve|python\s+manage\.py\s+runserver|flask)\s+[^"'\n]*)["']/g)) {
        const command = (m[1] ?? '').trim();
        const dev = DEV_FLAGS.test(` ${command}`);
        const s = cmd(dev ? 'dev' : 'start', command, !dev, [cite(py.path, py.text, m.index)], 'build-file', 'high');
        if (!dev) repoStarts.push(s); else out.push(s);
      }
    }
    // gunicorn.conf.py: gunicorn picks it up from the working directory; wsgi_app names the target when set.
    const conf = ['gunicorn.conf.py', 'gunicorn_config.py', 'gunicorn.config.py'].map((r) => inApp(ctx.appDir, r)).find((p) => ctx.repo.has(p));
    const confText = conf ? await ctx.repo.read(conf) : null;
    const target: string | null = a.django?.wsgi ?? a.flask?.target ?? null;
    const asgiTarget: string | null = a.fastapi?.target ?? (a.django && !a.django.wsgi ? a.django.asgi : null);
    if (conf && confText !== null) {
      const m = /^wsgi_app\s*=\s*["']([^"']+)["']/m.exec(confText);
      const worker = /^worker_class\s*=\s*["']([^"']+)["']/m.exec(confText);
      const t = m?.[1] ?? target ?? asgiTarget;
      if (t) {
        const ev = [cite(conf, confText, m ? m.index : 0)];
        const rel = conf.slice(ctx.appDir === '' ? 0 : ctx.appDir.length + 1);
        const k = !worker && t === asgiTarget && t !== target ? ' -k uvicorn.workers.UvicornWorker' : '';
        repoStarts.push(cmd('start', `gunicorn -c ${rel}${k} ${m?.[1] ? '' : t}`.trim(), true, ev, 'build-file', m ? 'high' : 'medium'));
      }
    }
    out.push(...repoStarts);

    // Recommended production servers (framework defaults), and the dev servers the repo shows. A recommended server
    // the project does not depend on would fail to start: the brief says to add it rather than present it silently.
    const manifest = requirementFiles(ctx).find((f) => !devRequirements(f)) ?? (py ? py.path : null) ?? inApp(ctx.appDir, 'requirements.txt');
    const recommend = (command: string, evidence: Evidence[]): void => {
      if (repoStarts.length > 0) return;
      out.push(cmd('start', command, true, evidence, 'fallback', 'medium'));
      const server = /^(\w+)/.exec(command)?.[1] ?? '';
      if (!serverDeclared(a.deps, server)) {
        out.push({
          kind: 'risk', severity: 'warning',
          message: `${server} is not a dependency: add ${server} to ${manifest.slice(ctx.appDir === '' ? 0 : ctx.appDir.length + 1)} for the recommended start command (${command})`,
          evidence: [{ file: manifest, line: null }], source: 'fallback', confidence: 'medium', detector: NAME,
        });
      }
    };
    let devOnly: Signal | null = null;
    if (a.django) {
      if (a.django.wsgi) recommend(`gunicorn ${a.django.wsgi} --bind 0.0.0.0:$PORT`, a.django.evidence.slice(-2));
      else if (a.django.asgi) recommend(`gunicorn ${a.django.asgi} -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT`, a.django.evidence.slice(-2));
      if (a.django.manage) {
        const ev: Evidence[] = [{ file: a.django.manage, line: null }];
        const dir = a.django.manage.slice(0, -'manage.py'.length).slice(ctx.appDir === '' ? 0 : ctx.appDir.length + 1);
        const dev = cmd('dev', `python ${dir}manage.py runserver 0.0.0.0:8000`, false, ev, 'fallback', 'medium');
        out.push(dev);
        devOnly ??= a.django.wsgi || a.django.asgi ? null : dev;
        out.push(cmd('migrate', `python ${dir}manage.py migrate`, true, ev, 'fallback', 'medium'));
        const st = a.sources.find((s) => s.path === a.django?.settingsFile);
        const m = st ? /^STATIC_ROOT\s*=/m.exec(st.text) : null;
        if (st && m) out.push(cmd('build', `python ${dir}manage.py collectstatic --noinput`, true, [cite(st.path, st.text, m.index)], 'code', 'medium'));
      }
    }
    const pp = (app: { pythonPath: string | null }): string => (app.pythonPath ? ` --app-dir ${app.pythonPath}` : '');
    if (a.flask) {
      const f = a.flask;
      recommend(`gunicorn ${f.pythonPath ? `--chdir ${f.pythonPath} ` : ''}${f.factory ? `'${f.target}'` : f.target} --bind 0.0.0.0:$PORT`, f.evidence);
      out.push(cmd('dev', `flask --app ${f.target.replace(/\(\)$/, '')} run`, false, f.evidence, 'fallback', 'medium'));
    }
    // Flask-Migrate (Alembic under `flask db`): FLASK_APP names the app, which works on every Flask version.
    const flaskMigrate = a.deps.get('flask-migrate');
    if (flaskMigrate && !flaskMigrate.dev) {
      const app = a.flask ? a.flask.target.replace(/\(\)$/, '') : flaskEntry(ctx, a.sources);
      out.push(cmd('migrate', `${app ? `FLASK_APP=${app} ` : ''}flask db upgrade`, true, [flaskMigrate.evidence], 'build-file', 'medium'));
    }
    if (a.fastapi) {
      const f = a.fastapi;
      const factory = f.factory ? ' --factory' : '';
      recommend(`uvicorn ${f.target.replace(/\(\)$/, '')}${factory}${pp(f)} --host 0.0.0.0 --port $PORT`, f.evidence);
      out.push(cmd('dev', `uvicorn ${f.target.replace(/\(\)$/, '')}${factory}${pp(f)} --reload`, false, f.evidence, 'fallback', 'medium'));
    }
    // `app.run(...)` / `uvicorn.run(...)` under __main__: the repo's own way to start is a dev server.
    for (const s of a.sources) {
      for (const m of codeMatches(s.text, /^\s+(\w+)\.run\(/gm)) {
        if (!/^if\s+__name__\s*==\s*["']__main__["']/m.test(s.text)) break;
        const rel = s.path.slice(ctx.appDir === '' ? 0 : ctx.appDir.length + 1);
        const isUvicorn = m[1] === 'uvicorn';
        const dev = cmd(isUvicorn ? 'start' : 'dev', `python ${rel}`, isUvicorn && !/reload\s*=\s*True/.test(s.text), [cite(s.path, s.text, m.index)], 'code', 'medium');
        if (isUvicorn && dev.kind === 'command' && dev.production) repoStarts.push(dev);
        out.push(dev);
        if (!isUvicorn) devOnly ??= dev;
        break;
      }
    }
    for (const file of [inApp(ctx.appDir, 'alembic.ini')]) {
      if (ctx.repo.has(file)) out.push(cmd('migrate', 'alembic upgrade head', true, [{ file, line: null }], 'build-file', 'medium'));
    }
    const recommended = out.find((s) => s.kind === 'command' && s.role === 'start' && s.production && s.source === 'fallback');
    if (repoStarts.length === 0 && devOnly && devOnly.kind === 'command') {
      out.push({
        kind: 'risk', severity: 'warning',
        message: `only a dev server is in the repo (${devOnly.command}); run a production server instead${recommended?.kind === 'command' ? `: ${recommended.command}` : ''}`,
        evidence: devOnly.evidence, source: devOnly.source, confidence: 'medium', detector: NAME,
      });
    }
    return out;
  },
};
