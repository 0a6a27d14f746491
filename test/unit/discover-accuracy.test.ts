// Detector bugs found by measuring discovery on public repositories (docs/discovery-accuracy.md), one case each, on in-memory repos shaped like them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BriefData } from '../../src/report/brief.js';
import { findApps } from '../../src/stages/discover/apps.js';
import { analyzeCompose } from '../../src/stages/discover/detectors/artifacts/compose.js';
import { analyzeDockerfile, isDevCommand } from '../../src/stages/discover/detectors/artifacts/dockerfile.js';
import { analyzeMakefile } from '../../src/stages/discover/detectors/artifacts/makefile.js';
import { interpolations } from '../../src/stages/discover/detectors/artifacts/shared.js';
import { ALL_DETECTORS } from '../../src/stages/discover/detectors/index.js';
import { resolveBrief } from '../../src/stages/discover/index.js';
import { runDetectors } from '../../src/stages/discover/run-detectors.js';
import type { Signal } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, envMap, of } from '../helpers/signals.js';

/** Every detector on an in-memory repo, resolved into brief data the way `deckhand discover` does. */
async function brief(files: Record<string, string>, appDir = ''): Promise<BriefData> {
  const repo = memoryRepo(files);
  const apps = (await findApps(repo)).map((a) => ({ dir: a.dir, name: a.name, ecosystem: a.ecosystem, reason: a.reason, evidence: a.evidence }));
  const signals = await runDetectors(repo, appDir, ALL_DETECTORS);
  return resolveBrief(repo, signals, { app: 'x', root: '/memory', appDir, commit: null, apps });
}

const signalsOf = (files: Record<string, string>, appDir = ''): Promise<Signal[]> => runDetectors(memoryRepo(files), appDir, ALL_DETECTORS);
const envOf = (d: BriefData, name: string): boolean | null | undefined => d.envVars.find((e) => e.name === name)?.required;

const SPRING_POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.4</version>
  </parent>
  <groupId>org.example</groupId>
  <artifactId>petclinic</artifactId>
  <version>3.3.0</version>
  <properties><java.version>17</java.version></properties>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
    <dependency><groupId>com.h2database</groupId><artifactId>h2</artifactId><scope>runtime</scope></dependency>
    <dependency><groupId>com.mysql</groupId><artifactId>mysql-connector-j</artifactId><scope>runtime</scope></dependency>
    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><scope>runtime</scope></dependency>
  </dependencies>
  <build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>
</project>
`;

/** petclinic's shape: a Spring Boot app whose compose file only starts optional databases. */
const PETCLINIC = {
  'pom.xml': SPRING_POM,
  mvnw: '#!/bin/sh\n',
  'src/main/java/org/example/PetClinicApplication.java': 'package org.example;\n\n@SpringBootApplication\npublic class PetClinicApplication {\n  public static void main(String[] args) { SpringApplication.run(PetClinicApplication.class, args); }\n}\n',
  'src/main/resources/application.properties': 'database=h2\nspring.sql.init.schema-locations=classpath*:db/${database}/schema.sql\n',
  'docker-compose.yml': [
    'services:', '  mysql:', '    image: mysql:9.6', '    ports:', '      - "3306:3306"', '    environment:', '      - MYSQL_USER=petclinic',
    '  postgres:', '    image: postgres:18.3', '    ports:', '      - "5432:5432"', '    environment:', '      - POSTGRES_USER=petclinic', '',
  ].join('\n'),
};

describe('1. compose that only runs datastores is not the top strategy', () => {
  it('petclinic shape: systemd with java -jar wins; compose is kept, ranked below, and says why', async () => {
    const d = await brief(PETCLINIC);
    assert.match(d.commands.start?.value.command ?? '', /^java .*-jar target\/petclinic-3\.3\.0\.jar$/);
    assert.equal(d.strategies[0]?.name, 'systemd');
    assert.equal(d.strategy, 'systemd');
    const compose = d.strategies.find((s) => s.name === 'compose');
    assert.ok(compose && compose.score < (d.strategies[0]?.score ?? 0));
    assert.match(compose.reasons[0] ?? '', /runs only datastores and tooling \(mysql, postgres\); no service builds or runs the app/);
  });

  it('a compose file with tooling (adminer) beside the database still runs no app; one that builds the app does', async () => {
    const only = analyzeCompose('compose.yaml', 'services:\n  db:\n    image: postgres:16\n  adminer:\n    image: adminer\n    depends_on: [db]\n', '');
    assert.deepEqual(of(only, 'artifact')[0]?.summary.appServices, []);
    const withApp = analyzeCompose('compose.yaml', 'services:\n  db:\n    image: postgres:16\n  web:\n    build: .\n', '');
    assert.deepEqual(of(withApp, 'artifact')[0]?.summary.appServices, ['web']);
  });
});

describe('2. a datastore is not required merely for being in compose', () => {
  it('no app service depends on it: required is left to the app (null); depends_on from the app makes it required', () => {
    const alone = analyzeCompose('docker-compose.yml', PETCLINIC['docker-compose.yml'], '');
    assert.deepEqual(of(alone, 'datastore').map((s) => [s.value, s.required]), [['mysql', null], ['postgresql', null]]);
    const used = analyzeCompose('docker-compose.yml', 'services:\n  app:\n    build: .\n    depends_on: [db]\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n', '');
    assert.deepEqual(of(used, 'datastore').map((s) => [s.value, s.required]), [['postgresql', true], ['redis', null]]);
  });

  it('petclinic shape: neither mysql nor postgresql is required in the brief', async () => {
    const d = await brief(PETCLINIC);
    assert.deepEqual(d.datastores.filter((x) => x.required === true).map((x) => x.kind), []);
  });
});

const FASTAPI_COMPOSE = [
  'services:',
  '  db:',
  '    image: postgres:17',
  '  prestart:',
  '    build:',
  '      context: ./backend',
  '    command: bash scripts/prestart.sh',
  '    depends_on: [db]',
  '  backend:',
  '    build:',
  '      context: ./backend',
  '    depends_on:',
  '      db:',
  '        condition: service_healthy',
  '    environment:',
  '      - SMTP_HOST=${SMTP_HOST}',
  '      - POSTGRES_PORT=${POSTGRES_PORT}',
  '      - SECRET_KEY=${SECRET_KEY?Variable not set}',
  '      - DOMAIN=${DOMAIN}',
  '    healthcheck:',
  '      test: [ "CMD", "curl", "-f", "http://localhost:8000/api/v1/utils/health-check/" ]',
  '    labels:',
  '      - traefik.enable=true',
  '      - traefik.http.services.${STACK_NAME?Variable not set}-backend.loadbalancer.server.port=8000',
  '',
].join('\n');

const FASTAPI_BACKEND = {
  'backend/pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["fastapi[standard]<1.0.0,>=0.114.2", "pydantic-settings<3.0.0,>=2.2.1"]\n',
  'backend/app/__init__.py': '',
  'backend/app/main.py': 'from fastapi import FastAPI\n\nfrom app.api.main import api_router\nfrom app.core.config import settings\n\napp = FastAPI(title=settings.PROJECT_NAME)\n\napp.include_router(api_router, prefix=settings.API_V1_STR)\n',
  'backend/app/core/config.py': [
    'from pydantic_settings import BaseSettings', '', '', 'class Settings(BaseSettings):', '    API_V1_STR: str = "/api/v1"', '    SECRET_KEY: str = "changethis"',
    '    BACKEND_CORS_ORIGINS: Annotated[', '        list[AnyUrl] | str, BeforeValidator(parse_cors)', '    ] = []',
    '    POSTGRES_PORT: int = 5432', '    SMTP_HOST: str | None = None', '', '', 'settings = Settings()', '',
  ].join('\n'),
  'backend/app/api/routes/utils.py': 'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/utils", tags=["utils"])\n\n\n@router.get("/health-check/")\nasync def health_check() -> bool:\n    return True\n',
};

describe('3. the compose app behind Traefik, and the prefix FastAPI mounts routers at', () => {
  it('a built service with no published port but a healthcheck and Traefik labels is the app: its health path and port count', () => {
    const s = analyzeCompose('docker-compose.yml', FASTAPI_COMPOSE, 'backend');
    assert.equal(of(s, 'artifact')[0]?.summary.app, 'backend');
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/api/v1/utils/health-check/', 21]]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.evidence[0]?.line]), [[8000, 24]]);
  });

  it('python: app.include_router(api_router, prefix=settings.API_V1_STR) is joined to the routes of other modules', async () => {
    const s = await signalsOf(FASTAPI_BACKEND, 'backend');
    assert.deepEqual(of(s, 'health').filter((h) => h.detector === 'python-health').map((h) => [h.path, h.evidence[0]?.file]), [['/api/v1/utils/health-check/', 'backend/app/api/routes/utils.py']]);
  });

  it('python: an imported router mounted without a prefix beside the prefixed one makes the prefix ambiguous: none is added', async () => {
    const files = { ...FASTAPI_BACKEND, 'backend/app/main.py': `${FASTAPI_BACKEND['backend/app/main.py']}app.include_router(health.router)\n` };
    const s = await signalsOf(files, 'backend');
    assert.deepEqual(of(s, 'health').filter((h) => h.detector === 'python-health').map((h) => h.path), ['/utils/health-check/']);
  });
});

describe('4. a bare ${X} in compose is required only when nothing gives X a default', () => {
  it('interpolations mark the bare forms', () => {
    assert.deepEqual(interpolations('a: ${A}\nb: ${B:-x}\nc: ${C?e}\nd: $D').map((i) => [i.name, i.required, i.bare]), [['A', true, true], ['B', false, false], ['C', true, false], ['D', true, true]]);
  });

  it('the code default wins over a bare compose reference; ${X?err} and bare names with no default stay required', async () => {
    const d = await brief({ ...FASTAPI_BACKEND, 'docker-compose.yml': FASTAPI_COMPOSE }, 'backend');
    assert.equal(envOf(d, 'SMTP_HOST'), false);
    assert.equal(envOf(d, 'POSTGRES_PORT'), false);
    // A multi-line annotation's default (`] = []`) is a default too.
    assert.equal(envOf(d, 'BACKEND_CORS_ORIGINS'), false);
    assert.equal(envOf(d, 'SECRET_KEY'), true);
    assert.equal(envOf(d, 'DOMAIN'), true);
    assert.equal(envOf(d, 'STACK_NAME'), true);
  });
});

describe('5. Dockerfile ENV lines are set by the image', () => {
  it('toolchain settings (PATH, PYTHONPATH, UV_*) are no env vars; app settings the image gives are optional; the summary keeps all', () => {
    const text = [
      'FROM python:3.10', 'ENV PATH="/app/.venv/bin:$PATH"', 'ENV UV_COMPILE_BYTECODE=1', 'ENV UV_LINK_MODE=copy', 'ENV PYTHONUNBUFFERED=1', 'ENV PYTHONPATH=/app',
      'ENV APP_MODE=production', 'CMD ["fastapi", "run", "app/main.py"]', '',
    ].join('\n');
    const s = analyzeDockerfile('backend/Dockerfile', text, true);
    assert.deepEqual(envMap(s), { APP_MODE: false });
    assert.deepEqual(of(s, 'artifact')[0]?.summary.env, ['PATH', 'UV_COMPILE_BYTECODE', 'UV_LINK_MODE', 'PYTHONUNBUFFERED', 'PYTHONPATH', 'APP_MODE']);
  });
});

const ACTIX_CARGO = '[package]\nname = "conduit"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nactix-web = "4"\n';

describe('6. actix web::scope nesting is joined', () => {
  it('/api + /healthcheck + .route("") is /api/healthcheck; deeper scoped routes with health-like names are not health', async () => {
    const routes = [
      'use actix_web::web;', 'use actix_web::web::{get, post};', '',
      'pub fn api(cfg: &mut web::ServiceConfig) {', '    cfg.service(', '        web::scope("/api")', '            .service(',
      '                web::scope("/healthcheck")', '                    .route("", get().to(app::healthcheck::index)),', '            )',
      '            .service(web::scope("/tags").route("", get().to(app::tag::index)))',
      '            .service(web::scope("/orders").route("/status", get().to(app::orders::status))),', '    );', '}', '',
    ].join('\n');
    const s = await signalsOf({ 'Cargo.toml': ACTIX_CARGO, 'src/main.rs': 'mod routes;\nfn main() {}\n', 'src/routes.rs': routes });
    assert.deepEqual(of(s, 'health').map((h) => [h.path, h.evidence[0]?.file, h.evidence[0]?.line]), [['/api/healthcheck', 'src/routes.rs', 9]]);
  });

  it('a relative path outside any scope is no route of its own', async () => {
    const s = await signalsOf({ 'Cargo.toml': ACTIX_CARGO, 'src/main.rs': 'fn main() {\n    App::new().route("health", web::get().to(h));\n}\n' });
    assert.deepEqual(of(s, 'health'), []);
  });
});

const RAILS_FILES = (gem: string): Record<string, string> => ({
  Gemfile: `source 'https://rubygems.org'\n\n${gem}\ngem 'sqlite3'\n`,
  'config/application.rb': "require 'rails/all'\n\nmodule Conduit\n  class Application < Rails::Application\n  end\nend\n",
  'config/routes.rb': 'Rails.application.routes.draw do\nend\n',
  'db/migrate/20160712045707_devise_create_users.rb': 'class DeviseCreateUsers < ActiveRecord::Migration\nend\n',
  'app/assets/stylesheets/application.css': '',
});

describe('7. Rails commands follow the Rails version, read from the Gemfile pin', () => {
  it("gem 'rails', '4.2.6': rake db:migrate and rake assets:precompile; the pin is the framework version", async () => {
    const s = await signalsOf(RAILS_FILES("gem 'rails', '4.2.6'"));
    assert.deepEqual(cmds(s, 'migrate').map((c) => c.command), ['RAILS_ENV=production bundle exec rake db:migrate']);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['RAILS_ENV=production bundle exec rake assets:precompile']);
    assert.equal(of(s, 'framework').find((f) => f.value === 'rails')?.detail?.version, '4.2.6');
  });

  it("'~> 4.2' still means rake; '~> 7.1' and an unpinned rails keep the rails tasks", async () => {
    assert.deepEqual(cmds(await signalsOf(RAILS_FILES("gem 'rails', '~> 4.2'")), 'migrate').map((c) => c.command), ['RAILS_ENV=production bundle exec rake db:migrate']);
    assert.deepEqual(cmds(await signalsOf(RAILS_FILES("gem 'rails', '~> 7.1'")), 'migrate').map((c) => c.command), ['RAILS_ENV=production bundle exec rails db:migrate']);
    assert.deepEqual(cmds(await signalsOf(RAILS_FILES("gem 'rails'")), 'migrate').map((c) => c.command), ['RAILS_ENV=production bundle exec rails db:migrate']);
  });
});

const DJANGO_FILES = (requirements: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'requirements.txt': requirements,
  'manage.py': "import os\nimport sys\n\nif __name__ == '__main__':\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conduit.settings')\n",
  'conduit/__init__.py': '',
  'conduit/settings.py': "INSTALLED_APPS = ['django.contrib.auth']\nROOT_URLCONF = 'conduit.urls'\n",
  'conduit/wsgi.py': "import os\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conduit.settings')\n\napplication = get_wsgi_application()\n",
  ...extra,
});

describe('8. a recommended gunicorn that is not a dependency is said so', () => {
  it('Django without gunicorn in requirements.txt: start is still gunicorn, with a risk to add it', async () => {
    const d = await brief(DJANGO_FILES('Django==1.10.5\ndjangorestframework==3.4.4\n'));
    assert.equal(d.commands.start?.value.command, 'gunicorn conduit.wsgi:application --bind 0.0.0.0:$PORT');
    assert.ok(d.risks.some((r) => /^gunicorn is not a dependency: add gunicorn to requirements\.txt for the recommended start command/.test(r.message)), JSON.stringify(d.risks));
  });

  it('no risk when gunicorn is declared, nor when the repo starts the app some other way', async () => {
    const declared = await brief(DJANGO_FILES('Django==4.2\ngunicorn==22.0\n'));
    assert.ok(!declared.risks.some((r) => /not a dependency/.test(r.message)));
    const procfile = await brief(DJANGO_FILES('Django==4.2\n', { Procfile: 'web: waitress-serve --port=$PORT conduit.wsgi:application\n' }));
    assert.ok(!procfile.risks.some((r) => /not a dependency/.test(r.message)), JSON.stringify(procfile.risks));
  });
});

describe('9. a container whose command is a dev server', () => {
  it('cargo watch and watchexec are dev commands', () => {
    assert.ok(isDevCommand('bash -c "diesel setup && cargo watch --exec run"'));
    assert.ok(isDevCommand('cargo-watch -x run'));
    assert.ok(isDevCommand('watchexec -r cargo run'));
    assert.ok(!isDevCommand('./target/release/conduit'));
  });

  it('Dockerfile CMD runserver: docker still ranks, with a warning risk and the reason on the strategy', async () => {
    const d = await brief(DJANGO_FILES('Django==1.10.5\ngunicorn\n', {
      Dockerfile: 'FROM python:3.5.7\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 8000\nCMD python manage.py migrate && python manage.py runserver 0.0.0.0:8000\n',
    }));
    assert.ok(d.strategies.some((s) => s.name === 'docker'));
    const risk = d.risks.find((r) => /^the container runs a dev server/.test(r.message));
    assert.match(risk?.message ?? '', /python manage\.py migrate && python manage\.py runserver 0\.0\.0\.0:8000, Dockerfile\): give it a production command before deploying it with docker/);
    assert.equal(risk?.severity, 'warning');
    assert.ok(d.strategies.find((s) => s.name === 'docker')?.reasons.some((r) => /the container runs a dev server/.test(r)));
    // With a production start command available (gunicorn), the host strategy ranks above the dev-server container.
    assert.equal(d.strategies[0]?.name, 'systemd', d.strategies.map((s) => `${s.name}:${s.score}`).join(' '));
  });

  it('compose app service running cargo watch: a risk; a compose.dev.yaml variant is expected to and raises none', async () => {
    const compose = 'services:\n  app:\n    build: .\n    command: \'bash -c "diesel setup && cargo watch --exec run"\'\n    ports:\n      - "8080:8080"\n';
    const files = { 'Cargo.toml': ACTIX_CARGO, 'src/main.rs': 'fn main() {}\n', 'Dockerfile': 'FROM rust:1.74-slim\nRUN cargo install cargo-watch\n' };
    const d = await brief({ ...files, 'compose.yaml': compose });
    assert.ok(d.risks.some((r) => /^the container runs a dev server \(bash -c "diesel setup && cargo watch --exec run", compose\.yaml\)/.test(r.message)), JSON.stringify(d.risks));
    const dev = await brief({ ...files, 'compose.dev.yaml': compose });
    assert.ok(!dev.risks.some((r) => /container runs a dev server/.test(r.message)));
  });
});

const PRECEDENT = {
  'package.json': JSON.stringify({
    name: 'precedent', private: true,
    scripts: { dev: 'prisma generate && next dev', build: 'prisma generate && prisma db push && next build', start: 'next start' },
    dependencies: { '@prisma/client': '^4.8.1', next: '13.1.1', react: '18.2.0' }, devDependencies: { prisma: '^4.8.1' },
  }, null, 2),
  'pnpm-lock.yaml': "lockfileVersion: '6.0'\n",
  'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
  'app/page.tsx': 'export default function Home() { return null; }\n',
};

describe('10. Prisma without migrations, and db push in the build', () => {
  it('no prisma/migrations: no migrate command; DATABASE_URL is needed at build time and the build is flagged', async () => {
    const d = await brief(PRECEDENT);
    assert.equal(d.commands.migrate, null);
    const url = d.envVars.find((e) => e.name === 'DATABASE_URL');
    assert.deepEqual([url?.required, url?.buildTime], [true, true]);
    assert.ok(d.risks.some((r) => /^the build script applies the Prisma schema to the database \(prisma db push\)/.test(r.message)));
    assert.ok(!d.risks.some((r) => /needs migrations/.test(r.message)));
  });

  it('with prisma/migrations, migrate deploy is proposed', async () => {
    const d = await brief({ ...PRECEDENT, 'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" ();\n' });
    assert.equal(d.commands.migrate?.value.command, 'pnpm exec prisma migrate deploy');
  });
});

const GIN_MAKEFILE = '.DEFAULT_GOAL = build\n\nbuild: clean\n\tgo get -d -v ./...\n\tgo build -v -race -o ./build ./...\n\tgo test ./...\n\nclean:\n\tgo clean\n';
const GIN = {
  'go.mod': 'module github.com/gothinkster/golang-gin-realworld-example-app\n\ngo 1.21\n\nrequire github.com/gin-gonic/gin v1.9.1\n',
  'go.sum': '',
  'hello.go': 'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() {\n\tr := gin.Default()\n\tr.Run()\n}\n',
  Makefile: GIN_MAKEFILE,
};

describe('11. a Makefile build that runs tests or -race does not outrank the production build', () => {
  it('the make target is filed as a non-production build', () => {
    assert.deepEqual(cmds(analyzeMakefile('Makefile', GIN_MAKEFILE), 'build').map((c) => [c.command, c.production]), [['make build', false]]);
  });

  it("the Dockerfile's go build wins; without a Dockerfile the Go detector's build does", async () => {
    const dockerfile = 'FROM golang:1.21-alpine AS builder\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=linux go build -o main .\nFROM gcr.io/distroless/static-debian11\nCOPY --from=builder /app/main /\nENTRYPOINT ["/main"]\n';
    const withDocker = await brief({ ...GIN, Dockerfile: dockerfile });
    assert.equal(withDocker.commands.build?.value.command, 'CGO_ENABLED=0 GOOS=linux go build -o main .');
    const plain = await brief(GIN);
    assert.match(plain.commands.build?.value.command ?? '', /^go build -o bin\/\S+ \.$/);
  });
});

const FLASK_REALWORLD = {
  'requirements/prod.txt': '# Everything needed in production\n\nFlask\nFlask-Migrate\nFlask_SQLAlchemy==2.2\ngunicorn\npsycopg2\n',
  'requirements/dev.txt': '-r prod.txt\npytest\n',
  'autoapp.py': '"""Create an application instance."""\nfrom conduit.app import create_app\nfrom conduit.settings import ProdConfig\n\napp = create_app(ProdConfig)\n',
  Procfile: 'web: gunicorn conduit.app:create_app\\(\\) -b 0.0.0.0:$PORT -w 3\n',
};

describe('12. requirements/*.txt makes a Python app', () => {
  it('flask-realworld shape: the single app is python', async () => {
    const apps = await findApps(memoryRepo(FLASK_REALWORLD));
    assert.deepEqual(apps.map((a) => [a.dir, a.ecosystem]), [['', 'python']]);
    assert.match(apps[0]?.reason ?? '', /server framework dependency \(flask\)/);
  });
});

const LARAVEL = (constraint: string, lock?: string): Record<string, string> => ({
  'composer.json': JSON.stringify({ require: { php: '>=5.6.4', 'laravel/framework': constraint } }, null, 4),
  artisan: '#!/usr/bin/env php\n<?php\n',
  'public/index.php': '<?php\n',
  ...(lock ? { 'composer.lock': lock } : {}),
});

describe('13. view:cache only on Laravel 5.6 and later', () => {
  const release = async (files: Record<string, string>): Promise<string[]> => cmds(await signalsOf(files), 'release').map((c) => c.command);
  it('5.4.* leaves view:cache out; ^10.0 and an unreadable constraint keep it', async () => {
    assert.deepEqual(await release(LARAVEL('5.4.*')), ['php artisan config:cache && php artisan route:cache']);
    assert.deepEqual(await release(LARAVEL('^10.0')), ['php artisan config:cache && php artisan route:cache && php artisan view:cache']);
    assert.deepEqual(await release(LARAVEL('dev-master')), ['php artisan config:cache && php artisan route:cache && php artisan view:cache']);
  });

  it('the version composer.lock installed decides over the constraint', async () => {
    const lock = JSON.stringify({ packages: [{ name: 'laravel/framework', version: 'v5.6.40' }] }, null, 4);
    assert.deepEqual(await release(LARAVEL('5.4.*|5.6.*', lock)), ['php artisan config:cache && php artisan route:cache && php artisan view:cache']);
  });
});

describe('14. Flask-Migrate gives flask db upgrade', () => {
  it('the entry module that builds the app is FLASK_APP', async () => {
    const s = await signalsOf(FLASK_REALWORLD);
    assert.deepEqual(cmds(s, 'migrate').map((c) => [c.command, c.evidence[0]?.file, c.evidence[0]?.line]), [['FLASK_APP=autoapp.py flask db upgrade', 'requirements/prod.txt', 4]]);
  });

  it('a found app object names FLASK_APP; Flask-Migrate only in dev requirements gives nothing', async () => {
    const app = { 'requirements.txt': 'flask==3.0.3\nflask-migrate==4.0.7\n', 'web/app.py': 'from flask import Flask\n\napp = Flask(__name__)\n' };
    assert.deepEqual(cmds(await signalsOf(app), 'migrate').map((c) => c.command), ['FLASK_APP=web.app:app flask db upgrade']);
    const dev = { 'requirements.txt': 'flask==3.0.3\n', 'requirements-dev.txt': 'flask-migrate==4.0.7\n', 'web/app.py': 'from flask import Flask\n\napp = Flask(__name__)\n' };
    assert.deepEqual(cmds(await signalsOf(dev), 'migrate'), []);
  });
});
