// Python discovery detectors: fixtures read through buildRepoIndex, edge cases through memoryRepo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectors } from '../../src/stages/discover/detectors/python/index.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);

describe('python detectors: django fixture', () => {
  it('finds ecosystem, pip, runtime and the django entry modules', async () => {
    const s = await fixture('python-django');
    assert.equal(of(s, 'ecosystem')[0]?.value, 'python');
    assert.equal(of(s, 'language')[0]?.value, 'python');
    assert.equal(of(s, 'package-manager')[0]?.value, 'pip');
    assert.equal(cmds(s, 'install')[0]?.command, 'pip install -r requirements.txt');
    const rt = of(s, 'runtime');
    assert.equal(rt.length, 1);
    assert.deepEqual([rt[0]?.range, rt[0]?.evidence[0]?.file, rt[0]?.evidence[0]?.line], ['3.12', '.python-version', 1]);
    const fw = of(s, 'framework');
    assert.equal(fw.length, 1);
    assert.equal(fw[0]?.value, 'django');
    assert.deepEqual(fw[0]?.detail, { settings: 'proj.settings', wsgi: 'proj.wsgi:application' });
    assert.ok(fw[0]?.evidence.some((e) => e.file === 'proj/wsgi.py' && e.line === 7));
  });

  it('recommends gunicorn, keeps runserver as dev, finds migrate and collectstatic', async () => {
    const s = await fixture('python-django');
    const start = cmds(s, 'start');
    assert.equal(start.length, 1);
    assert.equal(start[0]?.command, 'gunicorn proj.wsgi:application --bind 0.0.0.0:$PORT');
    assert.equal(start[0]?.production, true);
    assert.equal(start[0]?.confidence, 'medium');
    assert.equal(cmds(s, 'dev')[0]?.production, false);
    assert.match(cmds(s, 'dev')[0]?.command ?? '', /manage\.py runserver/);
    assert.equal(cmds(s, 'migrate')[0]?.command, 'python manage.py migrate');
    const build = cmds(s, 'build')[0];
    assert.equal(build?.command, 'python manage.py collectstatic --noinput');
    assert.deepEqual([build?.evidence[0]?.file, build?.evidence[0]?.line], ['proj/settings.py', 16]);
    assert.equal(of(s, 'risk').length, 0, 'wsgi.py exists and settings read the key from env: no risk');
  });

  it('port fallback, health path, django-environ env names, postgres', async () => {
    const s = await fixture('python-django');
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.confidence]), [[8000, 'fallback', 'low']]);
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => x.path), ['/health/']);
    assert.deepEqual([h[0]?.evidence[0]?.file, h[0]?.evidence[0]?.line], ['proj/urls.py', 10]);
    assert.deepEqual(envMap(s), { DJANGO_SECRET_KEY: true, DEBUG: false, ALLOWED_HOSTS: false, DATABASE_URL: true });
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.source]), [['postgresql', 'build-file']]);
    assert.deepEqual([ds[0]?.evidence[0]?.file, ds[0]?.evidence[0]?.line], ['requirements.txt', 4]);
  });
});

describe('python detectors: flask fixture', () => {
  it('finds the app object in web/app.py, its port, health and env', async () => {
    const s = await fixture('python-flask');
    assert.deepEqual(of(s, 'runtime').map((r) => r.range), ['3.11.4']);
    const fw = of(s, 'framework')[0];
    assert.equal(fw?.value, 'flask');
    assert.deepEqual(fw?.detail, { app: 'web.app:app' });
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source]), [[5000, 'code']]);
    assert.deepEqual([ports[0]?.evidence[0]?.file, ports[0]?.evidence[0]?.line], ['web/app.py', 16]);
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/healthz']);
    assert.deepEqual(envMap(s), { SECRET_TOKEN: true, LOG_LEVEL: false });
    assert.equal(of(s, 'env').find((e) => e.name === 'SECRET_TOKEN')?.evidence[0]?.line, 6);
    assert.ok(!JSON.stringify(of(s, 'env')).includes('"info"'), 'defaults are values: masked in evidence');
  });

  it('app.run is dev only: gunicorn recommended and a risk raised', async () => {
    const s = await fixture('python-flask');
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production, c.confidence]), [['gunicorn web.app:app --bind 0.0.0.0:$PORT', true, 'medium']]);
    const dev = cmds(s, 'dev');
    assert.ok(dev.length >= 1 && dev.every((c) => c.production === false));
    assert.ok(dev.some((c) => c.command === 'python web/app.py'));
    const risk = of(s, 'risk');
    assert.equal(risk.length, 2);
    assert.match(risk[0]?.message ?? '', /^gunicorn is not a dependency: add gunicorn to requirements\.txt for the recommended start command/);
    assert.match(risk[1]?.message ?? '', /only a dev server.*gunicorn web\.app:app/);
  });
});

describe('python detectors: fastapi fixture', () => {
  it('uv, requires-python as written, app found in src layout', async () => {
    const s = await fixture('python-fastapi');
    assert.equal(of(s, 'package-manager')[0]?.value, 'uv');
    assert.match(cmds(s, 'install')[0]?.command ?? '', /^uv sync/);
    const rt = of(s, 'runtime');
    assert.deepEqual(rt.map((r) => [r.range, r.evidence[0]?.file, r.evidence[0]?.line]), [['>=3.11', 'pyproject.toml', 4]]);
    const fw = of(s, 'framework')[0];
    assert.equal(fw?.value, 'fastapi');
    assert.deepEqual(fw?.detail, { app: 'api.main:app', pythonPath: 'src' });
    assert.ok(fw?.evidence.some((e) => e.file === 'src/api/main.py' && e.line === 13));
  });

  it('uvicorn start, reload dev, router prefix health, BaseSettings env, redis', async () => {
    const s = await fixture('python-fastapi');
    assert.deepEqual(cmds(s, 'start').map((c) => [c.command, c.production]), [['uvicorn api.main:app --app-dir src --host 0.0.0.0 --port $PORT', true]]);
    assert.deepEqual(cmds(s, 'dev').map((c) => c.production), [false]);
    assert.match(cmds(s, 'dev')[0]?.command ?? '', /--reload/);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence]), [[8000, 'fallback', 'low']]);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/api/ready', 8]]);
    assert.deepEqual(envMap(s), { DATABASE_URL: true, REDIS_URL: false });
    assert.deepEqual([...new Set(of(s, 'datastore').map((d) => d.value))], ['redis']);
    assert.ok(!JSON.stringify(s).includes('localhost:6379'), 'connection URLs are reduced to their scheme');
    assert.equal(of(s, 'risk').length, 0);
  });
});

describe('python detectors: insecure django fixture', () => {
  it('reports the literal SECRET_KEY and DEBUG = True without the value', async () => {
    const s = await fixture('python-insecure');
    const msgs = of(s, 'risk').map((r) => r.message);
    assert.ok(msgs.some((m) => /insecure default SECRET_KEY/.test(m)));
    assert.ok(msgs.some((m) => /DEBUG = True/.test(m)));
    const key = of(s, 'risk').find((r) => /SECRET_KEY/.test(r.message));
    assert.deepEqual([key?.evidence[0]?.file, key?.evidence[0]?.line], ['site/settings.py', 1]);
    assert.ok(!JSON.stringify(s).includes('canary-django-insecure-77'));
    assert.ok(!JSON.stringify(s).includes('canary'));
    assert.ok(msgs.some((m) => /only a dev server/.test(m)), 'no wsgi.py: runserver is all there is');
    assert.deepEqual(of(s, 'datastore').map((d) => d.value), ['sqlite']);
  });
});

describe('python detectors: edge cases', () => {
  it('invalid pyproject TOML → problem with the line, regex fallback still reads requires-python', async () => {
    const repo = memoryRepo({ 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.10"\ndependencies = [\n  "fastapi>=0.1",\n\n[broken\n' });
    const s = await run(repo);
    const p = of(s, 'problem');
    assert.equal(p.length, 1);
    assert.equal(p[0]?.evidence[0]?.file, 'pyproject.toml');
    assert.equal(typeof p[0]?.evidence[0]?.line, 'number');
    assert.match(p[0]?.message ?? '', /not valid TOML/);
    assert.deepEqual(of(s, 'runtime').map((r) => r.range), ['>=3.10']);
  });

  it('not a python app → no signals', async () => {
    assert.deepEqual(await run(memoryRepo({ 'package.json': '{}', 'scripts/x.py': 'import os\nos.environ["X"]\n' })), []);
  });

  it('poetry, tool-versions, Pipfile and poetry python constraint', async () => {
    const s = await run(memoryRepo({
      'pyproject.toml': '[tool.poetry]\nname = "a"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3"\n',
      '.tool-versions': 'nodejs 20.1.0\npython 3.12.1\n',
    }));
    assert.equal(of(s, 'package-manager')[0]?.value, 'poetry');
    assert.deepEqual(of(s, 'runtime').map((r) => r.range).sort(), ['3.12.1', '^3.11']);
    const pip = await run(memoryRepo({ Pipfile: '[packages]\nredis = "*"\n\n[requires]\npython_version = "3.10"\n', 'Pipfile.lock': '{}' }));
    assert.equal(of(pip, 'package-manager')[0]?.value, 'pipenv');
    assert.equal(cmds(pip, 'install')[0]?.command, 'pipenv install --deploy');
    assert.deepEqual(of(pip, 'runtime').map((r) => [r.range, r.evidence[0]?.line]), [['3.10', 5]]);
    assert.deepEqual(of(pip, 'datastore').map((d) => d.value), ['redis']);
  });

  it('flask factory, gunicorn.conf.py bind and the repo server command win', async () => {
    const s = await run(memoryRepo({
      'requirements.txt': 'flask\ngunicorn\n',
      'svc/__init__.py': 'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n',
      'gunicorn.conf.py': 'bind = "0.0.0.0:9000"\nworkers = 4\n',
    }));
    assert.deepEqual(of(s, 'framework')[0]?.detail, { app: 'svc:create_app()' });
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.source]), [["gunicorn -c gunicorn.conf.py svc:create_app()", 'build-file']]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source]), [[9000, 'code']]);
    assert.equal(of(s, 'risk').length, 0);
  });

  it('env forms: getenv without default is unknown, environ.get default or `or` fallback is optional; pydantic prefix; alembic; URL scheme only', async () => {
    const s = await run(memoryRepo({
      'requirements.txt': 'fastapi\nsqlalchemy\n',
      'alembic.ini': '[alembic]\n',
      'app/main.py': [
        'import os', 'from fastapi import FastAPI', 'from pydantic_settings import BaseSettings, SettingsConfigDict', '',
        'class S(BaseSettings):', '    model_config = SettingsConfigDict(env_prefix="APP_")', '    token: str', '    debug: bool = False', '',
        'A = os.getenv("OPTIONAL_A")', 'B = os.environ.get("B_WITH_DEFAULT", "x")', 'C = os.environ.get("OR_NONE") or None', 'URL = "postgresql://user:hunter2@db/app"',
        '# os.environ["COMMENTED"]', 'app = FastAPI()', '@app.get("/healthz")', 'def h(): return 1', 'if __name__ == "__main__":',
        '    import uvicorn', '    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))',
      ].join('\n'),
    }));
    assert.deepEqual(envMap(s), { OPTIONAL_A: null, B_WITH_DEFAULT: false, OR_NONE: false, PORT: false, APP_TOKEN: true, APP_DEBUG: false });
    assert.deepEqual(of(s, 'framework')[0]?.detail, { app: 'app.main:app' });
    assert.deepEqual(cmds(s, 'migrate').map((c) => c.command), ['alembic upgrade head']);
    assert.deepEqual(of(s, 'port').map((p) => p.port), [8080]);
    assert.deepEqual(of(s, 'datastore').map((d) => d.value), ['postgresql']);
    assert.ok(!JSON.stringify(s).includes('hunter2'));
    assert.ok(!JSON.stringify(s).includes('@db/app'));
  });
});
