// Acceptance of `discover()` at brief level: every fixture repo yields the brief a DevOps engineer reading it would write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunContext } from '../../src/core/context.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { DeploymentBriefSchema, type BriefData, type DeploymentBrief } from '../../src/report/brief.js';
import { renderBriefMarkdown } from '../../src/report/markdown-brief.js';
import { discover } from '../../src/stages/discover/index.js';
import { FIXTURES } from '../helpers/signals.js';

/**
 * The resolved brief, flattened to what a reader checks. Locations are `file:line` of the first evidence;
 * runtime is `name range @ location`, port `number source @ location`, artifacts `type:path`, apps `dir:name:ecosystem`.
 */
interface Fields {
  name: string;
  appDir: string;
  apps: string[];
  ecosystem: string | null;
  language: string | null;
  frameworks: string[];
  runtime: string | null;
  packageManager: string | null;
  install: string | null;
  build: string | null;
  start: string | null;
  startProduction: boolean | null;
  dev: string | null;
  migrate: string | null;
  release: string | null;
  port: string | null;
  health: string[];
  envRequired: string[];
  envOptional: string[];
  envUnknown: string[];
  datastores: string[];
  artifacts: string[];
  topStrategy: string | null;
  strategy: string | null;
  conflicts: string[];
}

interface Case {
  /** A fixture repo under test/fixtures/discover, or (with `example`) an app under examples/. */
  fixture: string;
  example?: boolean;
  /** The `app` option (a monorepo member). */
  app?: string;
  expect: Fields;
  /** Framework name → detail entries the brief must carry. */
  frameworkDetail?: Record<string, Record<string, string>>;
  /** Each must match one risk message. */
  risks?: RegExp[];
  problems?: string[];
  /** Must match one reason of the top strategy. */
  topReason?: RegExp;
  /**
   * Fields a detector still gets wrong: `expect` holds the right value (checked as a todo test), `now` pins
   * today's value so a detector change shows up here and the entry can go.
   */
  gaps?: Partial<Record<keyof Fields, { now: unknown; fix: string }>>;
}

const NO_ENV = { envRequired: [], envOptional: [], envUnknown: [] };
const NO_CMDS = { install: null, build: null, start: null, startProduction: null, dev: null, migrate: null, release: null };
const NOTHING = { ecosystem: null, language: null, frameworks: [], runtime: null, packageManager: null, datastores: [], conflicts: [] };

const CASES: Case[] = [
  {
    fixture: 'node-express',
    expect: {
      name: 'orders-api', appDir: '', apps: ['.:orders-api:node'], ecosystem: 'node', language: 'javascript', frameworks: ['express'],
      runtime: 'node 20 @ .nvmrc:1', packageManager: 'npm',
      install: 'npm ci', build: null, start: 'npm run start', startProduction: true, dev: 'npm run dev', migrate: 'npm run migrate', release: null,
      port: '3000 code @ src/server.js:6', health: ['/health'],
      envRequired: ['DATABASE_URL', 'JWT_SECRET'], envOptional: ['LOG_LEVEL', 'NODE_ENV', 'PORT'], envUnknown: [],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'pm2', strategy: 'pm2', conflicts: [],
    },
    risks: [/needs migrations: run `npm run migrate`/],
  },
  {
    fixture: 'node-dev-only',
    expect: {
      name: 'webhook-relay', appDir: '', apps: ['.:webhook-relay:node'], ecosystem: 'node', language: 'javascript', frameworks: ['express'],
      runtime: null, packageManager: 'npm', ...NO_CMDS, dev: 'npm run dev',
      port: '8080 code @ server.js:12', health: [],
      envRequired: ['SLACK_WEBHOOK_URL'], envOptional: [], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: null, strategy: null, conflicts: [],
    },
    risks: [/production start command needed: only a dev server \(nodemon server\.js\)/],
  },
  {
    fixture: 'node-nest',
    expect: {
      name: 'billing-service', appDir: '', apps: ['.:billing-service:node'], ecosystem: 'node', language: 'typescript', frameworks: ['nestjs'],
      runtime: 'node 20 @ Dockerfile:9', packageManager: 'yarn',
      install: 'yarn install --frozen-lockfile', build: 'yarn build', start: 'node dist/main', startProduction: true, dev: 'yarn start:dev',
      migrate: 'yarn prisma migrate deploy', release: null,
      port: '3000 code @ src/main.ts:9', health: ['/health'],
      envRequired: ['DATABASE_URL'], envOptional: ['PORT', 'STRIPE_API_KEY'], envUnknown: [],
      datastores: ['postgresql'], artifacts: ['dockerfile:Dockerfile'], topStrategy: 'docker', strategy: 'docker', conflicts: [],
    },
  },
  {
    fixture: 'node-next-standalone',
    expect: {
      name: 'storefront', appDir: '', apps: ['.:storefront:node'], ecosystem: 'node', language: 'typescript', frameworks: ['nextjs'],
      runtime: 'node >=18.17 @ package.json:6', packageManager: 'pnpm',
      install: 'pnpm install --frozen-lockfile', build: 'pnpm build', start: 'node .next/standalone/server.js', startProduction: true, dev: 'pnpm dev',
      migrate: null, release: null,
      port: '3000 fallback @ package.json:15', health: ['/api/health'],
      envRequired: ['BACKEND_API_TOKEN', 'BACKEND_URL'], envOptional: ['NEXT_PUBLIC_SITE_URL'], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'pm2', strategy: 'pm2', conflicts: [],
    },
    frameworkDetail: { nextjs: { output: 'standalone' } },
  },
  {
    fixture: 'node-vite-static',
    expect: {
      name: 'status-page', appDir: '', apps: ['.:status-page:static'], ecosystem: 'node', language: 'typescript', frameworks: ['vite'],
      runtime: null, packageManager: 'npm',
      install: 'npm ci', build: 'npm run build', start: null, startProduction: null, dev: 'npm run dev', migrate: null, release: null,
      // Served by the web server: vite's preview/dev ports are no deploy port.
      port: null, health: [],
      envRequired: ['VITE_API_URL'], envOptional: [], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'static', strategy: 'static', conflicts: [],
    },
    frameworkDetail: { vite: { output: 'static', outDir: 'public-dist' } },
  },
  {
    fixture: 'python-django',
    expect: {
      name: 'python-django', appDir: '', apps: ['.:python-django:python'], ecosystem: 'python', language: 'python', frameworks: ['django'],
      runtime: 'python 3.12 @ .python-version:1', packageManager: 'pip',
      install: 'pip install -r requirements.txt', build: 'python manage.py collectstatic --noinput',
      start: 'gunicorn proj.wsgi:application --bind 0.0.0.0:$PORT', startProduction: true, dev: 'python manage.py runserver 0.0.0.0:8000',
      migrate: 'python manage.py migrate', release: null,
      port: '8000 fallback @ proj/wsgi.py:7', health: ['/health/'],
      envRequired: ['DATABASE_URL', 'DJANGO_SECRET_KEY'], envOptional: ['ALLOWED_HOSTS', 'DEBUG'], envUnknown: [],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { django: { settings: 'proj.settings', wsgi: 'proj.wsgi:application' } },
    risks: [/needs migrations: run `python manage\.py migrate`/],
  },
  {
    fixture: 'python-fastapi',
    expect: {
      name: 'api', appDir: '', apps: ['.:api:python'], ecosystem: 'python', language: 'python', frameworks: ['fastapi'],
      runtime: 'python >=3.11 @ pyproject.toml:4', packageManager: 'uv',
      install: 'uv sync --frozen --no-dev', build: null, start: 'uvicorn api.main:app --app-dir src --host 0.0.0.0 --port $PORT', startProduction: true,
      dev: 'uvicorn api.main:app --app-dir src --reload', migrate: null, release: null,
      port: '8000 fallback @ src/api/main.py:13', health: ['/api/ready'],
      envRequired: ['DATABASE_URL'], envOptional: ['REDIS_URL'], envUnknown: [],
      datastores: ['redis'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { fastapi: { app: 'api.main:app', pythonPath: 'src' } },
  },
  {
    fixture: 'python-flask',
    expect: {
      name: 'python-flask', appDir: '', apps: ['.:python-flask:python'], ecosystem: 'python', language: 'python', frameworks: ['flask'],
      runtime: 'python 3.11.4 @ runtime.txt:1', packageManager: 'pip',
      install: 'pip install -r requirements.txt', build: null, start: 'gunicorn web.app:app --bind 0.0.0.0:$PORT', startProduction: true,
      dev: 'python web/app.py', migrate: null, release: null,
      port: '5000 code @ web/app.py:16', health: ['/healthz'],
      envRequired: ['SECRET_TOKEN'], envOptional: ['LOG_LEVEL'], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { flask: { app: 'web.app:app' } },
    risks: [/only a dev server is in the repo \(python web\/app\.py\); run a production server instead: gunicorn/],
  },
  {
    fixture: 'python-insecure',
    expect: {
      name: 'python-insecure', appDir: '', apps: ['.:python-insecure:python'], ecosystem: 'python', language: 'python', frameworks: ['django'],
      runtime: null, packageManager: 'pip',
      // No wsgi module: there is nothing to hand gunicorn, so no production start is invented.
      install: 'pip install -r requirements.txt', build: null, start: null, startProduction: null, dev: 'python manage.py runserver 0.0.0.0:8000',
      migrate: 'python manage.py migrate', release: null,
      port: '8000 fallback @ manage.py:5', health: [], ...NO_ENV,
      datastores: ['sqlite'], artifacts: [], topStrategy: null, strategy: null, conflicts: [],
    },
    risks: [/insecure default SECRET_KEY/, /DEBUG = True/, /only a dev server is in the repo \(python manage\.py runserver/],
  },
  {
    fixture: 'go-gin',
    expect: {
      name: 'orders', appDir: '', apps: ['.:orders:go'], ecosystem: 'go', language: 'go', frameworks: ['gin'],
      runtime: 'go >=1.22 @ go.mod:3', packageManager: 'go modules',
      install: 'go mod download', build: 'go build -o bin/api ./cmd/api', start: './bin/api', startProduction: true, dev: null, migrate: null, release: null,
      port: '8080 code @ cmd/api/main.go:13', health: ['/healthz'],
      envRequired: ['DATABASE_URL'], envOptional: ['LOG_LEVEL', 'PORT'], envUnknown: [],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
  },
  {
    fixture: 'go-stdlib',
    expect: {
      name: 'pinger', appDir: '', apps: ['.:pinger:go'], ecosystem: 'go', language: 'go', frameworks: ['net/http'],
      // .tool-versions pins 1.22.1, which satisfies go.mod's minimum: no disagreement.
      runtime: 'go >=1.21 @ go.mod:3', packageManager: 'go modules',
      install: 'go mod download', build: 'go build -o bin/pinger .', start: './bin/pinger', startProduction: true, dev: null, migrate: null, release: null,
      port: '9090 code @ main.go:17', health: ['/ping'], ...NO_ENV,
      datastores: [], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
  },
  {
    fixture: 'jvm-spring-maven',
    expect: {
      name: 'orders', appDir: '', apps: ['.:orders:jvm'], ecosystem: 'jvm', language: 'java', frameworks: ['spring-boot'],
      runtime: 'java >=21 @ pom.xml:13', packageManager: 'maven',
      install: null, build: './mvnw -B -DskipTests package', start: 'java -Xmx512m -jar target/orders-1.2.0.jar', startProduction: true, dev: null,
      migrate: 'flyway migrate (runs at application start)', release: null,
      port: '8081 code @ src/main/resources/application.yml:2', health: ['/actuator/health', '/api/status'],
      envRequired: ['DATABASE_URL', 'DB_PASSWORD'], envOptional: ['DB_USER', 'ORDERS_REGION', 'PORT'], envUnknown: ['PAYMENTS_API_TOKEN'],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { 'spring-boot': { jar: 'target/orders-1.2.0.jar' } },
    risks: [/migrated when the app starts \(flyway migrate\)/],
  },
  {
    fixture: 'jvm-quarkus-gradle',
    expect: {
      name: 'inventory', appDir: '', apps: ['.:inventory:jvm'], ecosystem: 'jvm', language: 'java', frameworks: ['quarkus'],
      // .sdkmanrc's JDK 21 runs code built for 17: no disagreement.
      runtime: 'java >=17 @ build.gradle.kts:30', packageManager: 'gradle',
      install: null, build: './gradlew build -x test', start: 'java -Xmx512m -jar build/quarkus-app/quarkus-run.jar', startProduction: true, dev: null,
      migrate: 'liquibase update (runs at application start)', release: null,
      port: '8085 code @ src/main/resources/application.properties:1', health: ['/q/health', '/stock/ping'],
      envRequired: ['DB_PASSWORD'], envOptional: ['DB_USER', 'WAREHOUSE_ID'], envUnknown: ['STOCK_FEED_KEY'],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { quarkus: { layout: 'build/quarkus-app/quarkus-run.jar', packageType: 'fast-jar' } },
    risks: [/migrated when the app starts \(liquibase update\)/],
  },
  {
    fixture: 'artifacts-compose',
    expect: {
      name: 'artifacts-compose', appDir: '', apps: ['.:artifacts-compose:node'], ecosystem: 'node', language: 'typescript', frameworks: [],
      runtime: 'node 20 @ Dockerfile:17', packageManager: 'npm',
      install: null, build: 'npm run build', start: 'node dist/server.js', startProduction: true, dev: null, migrate: null, release: null,
      port: '3000 deploy-material @ Dockerfile:23', health: ['/healthz'],
      envRequired: ['DB_PASSWORD', 'SESSION_SECRET'],
      envOptional: ['DATABASE_URL', 'LOG_LEVEL', 'NODE_ENV', 'NODE_VERSION', 'PORT'],
      envUnknown: ['BUILD_SHA', 'STRIPE_API_KEY'],
      datastores: ['postgresql', 'redis'], artifacts: ['compose:docker-compose.yml', 'dockerfile:Dockerfile', 'env-example:.env.example'],
      topStrategy: 'compose', strategy: 'compose', conflicts: [],
    },
    risks: [/a \.env file is committed \(\.env, 2 variables\)/],
    topReason: /runs its datastores \(postgresql, redis\) beside the app/,
  },
  {
    fixture: 'artifacts-k8s',
    expect: {
      name: 'artifacts-k8s', appDir: '', apps: ['.:artifacts-k8s:unknown'], ...NOTHING, ...NO_CMDS,
      // Two workloads (api on 8080, the web chart on 3000): the raw manifest wins and the disagreement is shown.
      port: '8080 deploy-material @ k8s/app.yaml:23', health: ['/api/health', '/healthz', '/ready'],
      envRequired: ['DATABASE_URL'], envOptional: ['NODE_ENV'], envUnknown: [],
      datastores: ['redis'], artifacts: ['helm:charts/web/Chart.yaml', 'kubernetes:k8s/app.yaml', 'kubernetes:k8s/ingress.yaml'],
      // Kubernetes leads; `strategy` (what `check --brief` verifies on a host) has no host strategy to offer.
      topStrategy: 'kubernetes', strategy: null, conflicts: ['port'],
    },
  },
  {
    fixture: 'artifacts-procfile',
    expect: {
      name: 'artifacts-procfile', appDir: '', apps: ['.:artifacts-procfile:unknown'], ...NOTHING,
      install: null, build: 'make build', start: 'gunicorn shop.wsgi --bind 0.0.0.0:$PORT --workers 3', startProduction: true, dev: null,
      migrate: 'make migrate', release: 'python manage.py migrate --noinput',
      port: '8000 deploy-material @ deploy/shop.service:12', health: [],
      envRequired: [], envOptional: ['DJANGO_SETTINGS_MODULE', 'PYTHONUNBUFFERED'], envUnknown: [],
      artifacts: ['makefile:Makefile', 'procfile:Procfile', 'systemd:deploy/shop.service'], topStrategy: 'systemd', strategy: 'systemd',
    },
  },
  {
    fixture: 'artifacts-bad',
    expect: {
      name: 'artifacts-bad', appDir: '', apps: ['.:artifacts-bad:unknown'], ...NOTHING, ...NO_CMDS,
      port: null, health: [], envRequired: ['EXTRA_FLAG'], envOptional: [], envUnknown: [],
      artifacts: ['compose:compose.override.yaml'], topStrategy: 'compose', strategy: 'compose',
    },
    problems: ['docker-compose.yml:7', 'fly.toml:3'],
    // The base file does not parse: the override alone is ranked low and says why.
    topReason: /only override files \(compose\.override\.yaml\).*no base compose file parsed/,
  },
  {
    fixture: 'mono-npm',
    expect: {
      name: 'mono-npm', appDir: '', apps: ['apps/api:@mono/api:node', 'apps/web:@mono/web:node'],
      ecosystem: 'node', language: 'javascript', frameworks: [], runtime: null, packageManager: 'npm',
      ...NO_CMDS, build: 'npm run build',
      // The workspace root: the api's port and env reads belong to the api's brief.
      port: null, health: [], ...NO_ENV, datastores: [], artifacts: [], topStrategy: null, strategy: null, conflicts: [],
    },
    risks: [/monorepo with 2 apps \(apps\/api, apps\/web\): pass --app/],
  },
  {
    fixture: 'mono-npm', app: 'apps/api',
    expect: {
      name: '@mono/api', appDir: 'apps/api', apps: ['apps/api:@mono/api:node', 'apps/web:@mono/web:node'],
      ecosystem: 'node', language: 'javascript', frameworks: ['express'], runtime: null, packageManager: 'npm',
      ...NO_CMDS, start: 'npm run start', startProduction: true,
      port: '3000 code @ apps/api/src/index.js:3', health: [], envRequired: [], envOptional: ['PORT'], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'pm2', strategy: 'pm2', conflicts: [],
    },
  },
  {
    fixture: 'mono-npm', app: 'apps/web',
    expect: {
      name: '@mono/web', appDir: 'apps/web', apps: ['apps/api:@mono/api:node', 'apps/web:@mono/web:node'],
      ecosystem: 'node', language: 'javascript', frameworks: ['nextjs'], runtime: null, packageManager: 'npm',
      ...NO_CMDS, build: 'npm run build', start: 'npm run start', startProduction: true, dev: 'npm run dev',
      port: '3000 fallback @ apps/web/package.json:5', health: [], ...NO_ENV,
      datastores: [], artifacts: [], topStrategy: 'pm2', strategy: 'pm2', conflicts: [],
    },
    frameworkDetail: { nextjs: { output: 'server' } },
  },
  {
    fixture: 'mono-pnpm-go',
    expect: {
      name: 'mono-pnpm-go', appDir: '', apps: ['apps/gateway:gateway:node', 'services/billing:billing:go'],
      ecosystem: 'node', language: 'javascript', frameworks: [], runtime: null, packageManager: 'pnpm',
      // `pnpm -r --parallel start` starts every member: no single process to place.
      ...NO_CMDS, build: 'pnpm build',
      port: null, health: [], ...NO_ENV, datastores: [], artifacts: [], topStrategy: null, strategy: null, conflicts: [],
    },
    risks: [/monorepo with 2 apps \(apps\/gateway, services\/billing\)/],
  },
  {
    fixture: 'mono-pnpm-go', app: 'apps/gateway',
    expect: {
      name: 'gateway', appDir: 'apps/gateway', apps: ['apps/gateway:gateway:node', 'services/billing:billing:go'],
      ecosystem: 'node', language: 'typescript', frameworks: ['fastify'], runtime: null, packageManager: 'pnpm',
      ...NO_CMDS, build: 'pnpm build',
      port: null, health: [], ...NO_ENV, datastores: [], artifacts: [], topStrategy: null, strategy: null, conflicts: [],
    },
    risks: [/no start command found/, /port unknown/],
  },
  {
    fixture: 'mono-pnpm-go', app: 'services/billing',
    expect: {
      name: 'billing', appDir: 'services/billing', apps: ['apps/gateway:gateway:node', 'services/billing:billing:go'],
      ecosystem: 'go', language: 'go', frameworks: ['net/http'], runtime: 'go >=1.22 @ services/billing/go.mod:3', packageManager: 'go modules',
      install: 'go mod download', build: 'go build -o bin/billing .', start: './bin/billing', startProduction: true, dev: null, migrate: null, release: null,
      // Listens on $PORT with no default: the port is the operator's to set.
      port: null, health: [], envRequired: ['PORT'], envOptional: [], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    risks: [/port unknown/],
  },
  {
    fixture: 'bun-elysia',
    expect: {
      name: 'todo-api', appDir: '', apps: ['.:todo-api:bun'], ecosystem: 'bun', language: 'typescript', frameworks: ['elysia'],
      runtime: 'bun 1.1.43 @ .tool-versions:1', packageManager: 'bun@1.1.43',
      install: 'bun install --frozen-lockfile', build: 'bun run build', start: 'bun run start', startProduction: true, dev: 'bun run dev', migrate: null, release: null,
      port: '3000 code @ src/index.ts:12', health: ['/health'],
      envRequired: ['DATABASE_URL', 'JWT_SECRET'], envOptional: ['CORS_ORIGIN', 'DB_POOL_MAX', 'PORT'], envUnknown: [],
      // pm2 would need node beside bun: a systemd unit running bun is the simpler host setup.
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    risks: [/required variable JWT_SECRET has no example and no default/],
    topReason: /a production start command: bun run start/,
  },
  {
    fixture: 'deno-oak',
    expect: {
      name: 'deno-oak', appDir: '', apps: ['.:deno-oak:deno'], ecosystem: 'deno', language: 'typescript', frameworks: ['oak'],
      runtime: 'deno 2.1.4 @ .dvmrc:1', packageManager: 'deno',
      install: 'deno cache main.ts', build: null, start: 'deno task start', startProduction: true, dev: 'deno task dev', migrate: null, release: null,
      port: '8000 code @ main.ts:18', health: ['/healthz'],
      envRequired: ['DATABASE_URL'], envOptional: ['DB_POOL_SIZE', 'HOST', 'PORT'], envUnknown: [],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    risks: [/required variable DATABASE_URL has no example and no default/],
  },
  {
    fixture: 'php-laravel',
    expect: {
      name: 'php-laravel', appDir: '', apps: ['.:php-laravel:php'], ecosystem: 'php', language: 'php', frameworks: ['laravel'],
      runtime: 'php ^8.2 @ composer.json:7', packageManager: 'composer',
      install: 'composer install --no-dev --optimize-autoloader', build: null, start: 'php-fpm', startProduction: true, dev: 'php artisan serve --port=8080',
      migrate: 'php artisan migrate --force', release: 'php artisan config:cache && php artisan route:cache && php artisan view:cache',
      // Only the dev server names a port: php-fpm listens where its pool says, and there is no pool in the repo.
      port: '8080 fallback @ composer.json:31', health: ['/api/status', '/up'],
      envRequired: ['APP_KEY', 'DB_PASSWORD', 'STRIPE_SECRET'],
      envOptional: [
        'APP_DEBUG', 'APP_ENV', 'APP_LOCALE', 'APP_NAME', 'APP_PREVIOUS_KEYS', 'APP_URL', 'DB_CONNECTION', 'DB_DATABASE', 'DB_HOST', 'DB_PORT',
        'DB_USERNAME', 'MAILGUN_DOMAIN', 'REDIS_CLIENT', 'REDIS_HOST', 'REDIS_PORT', 'STRIPE_WEBHOOK_TOLERANCE',
      ],
      envUnknown: ['CACHE_STORE', 'LOG_CHANNEL', 'MAIL_HOST', 'MAIL_MAILER'],
      datastores: ['postgresql', 'redis', 'smtp'], artifacts: ['env-example:.env.example'], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { laravel: { server: 'php-fpm', webServer: 'nginx', documentRoot: 'public' } },
    risks: [/needs migrations: run `php artisan migrate --force`/],
  },
  {
    fixture: 'php-symfony',
    expect: {
      name: 'php-symfony', appDir: '', apps: ['.:php-symfony:php'], ecosystem: 'php', language: 'php', frameworks: ['symfony'],
      // config.platform.php 8.3.0 satisfies require.php: no disagreement.
      runtime: 'php >=8.2 @ composer.json:7', packageManager: 'composer',
      install: 'composer install --no-dev --optimize-autoloader', build: null, start: 'php-fpm', startProduction: true, dev: 'php -S 127.0.0.1:8000 -t public',
      migrate: 'php bin/console doctrine:migrations:migrate --no-interaction', release: 'APP_ENV=prod APP_DEBUG=0 php bin/console cache:clear',
      port: '9000 deploy-material @ docker/php-fpm/zz-catalog.conf:4', health: ['/healthz'],
      envRequired: ['APP_SECRET', 'DATABASE_URL', 'MESSENGER_TRANSPORT_DSN'], envOptional: ['APP_ENV', 'APP_REGION', 'CATALOG_CURRENCY'], envUnknown: [],
      datastores: ['postgresql', 'rabbitmq'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { symfony: { server: 'php-fpm', webServer: 'nginx', documentRoot: 'public' } },
    risks: [/a \.env file of defaults is committed \(\.env, 4 variables\), as Symfony's Dotenv expects/, /needs migrations: run `php bin\/console doctrine:migrations:migrate/],
  },
  {
    fixture: 'ruby-rails',
    expect: {
      name: 'ruby-rails', appDir: '', apps: ['.:ruby-rails:ruby'], ecosystem: 'ruby', language: 'ruby', frameworks: ['rails', 'puma'],
      runtime: 'ruby 3.3.0 @ .ruby-version:1', packageManager: 'bundler@2.5.6',
      install: 'BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test bundle install',
      build: 'RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile',
      start: 'RAILS_ENV=production bundle exec puma -C config/puma.rb', startProduction: true, dev: 'bundle exec rails server',
      migrate: 'RAILS_ENV=production bundle exec rails db:migrate', release: null,
      port: '3000 code @ config/puma.rb:12', health: ['/up'],
      envRequired: ['DATABASE_URL', 'RAILS_MASTER_KEY', 'STRIPE_API_KEY'],
      // RAILS_MASTER_KEY decrypts the credentials that hold secret_key_base: SECRET_KEY_BASE itself may stay unset.
      envOptional: ['PORT', 'RAILS_ENV', 'RAILS_LOG_LEVEL', 'RAILS_MAX_THREADS', 'RAILS_MIN_THREADS', 'REDIS_URL', 'SECRET_KEY_BASE', 'WEB_CONCURRENCY'],
      envUnknown: [],
      datastores: ['postgresql', 'redis'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    risks: [/bundle exec sidekiq/, /force_ssl/, /needs migrations: run `RAILS_ENV=production bundle exec rails db:migrate`/],
  },
  {
    fixture: 'ruby-sinatra',
    expect: {
      name: 'ruby-sinatra', appDir: '', apps: ['.:ruby-sinatra:ruby'], ecosystem: 'ruby', language: 'ruby', frameworks: ['sinatra', 'puma'],
      // .tool-versions' 3.3.1 satisfies the Gemfile's ~> 3.2.
      runtime: 'ruby 3.3.1 @ .tool-versions:2', packageManager: 'bundler',
      install: 'BUNDLE_WITHOUT=development:test bundle install', build: null, start: 'bundle exec puma -e production -p $PORT', startProduction: true,
      dev: null, migrate: null, release: null,
      port: '4567 code @ app.rb:7', health: ['/health'],
      envRequired: ['SESSION_SECRET'], envOptional: ['LOG_LEVEL', 'PORT', 'REDIS_URL'], envUnknown: ['API_TOKEN'],
      datastores: ['redis'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    risks: [/required variable SESSION_SECRET has no example and no default/],
  },
  {
    fixture: 'rust-axum',
    expect: {
      name: 'orders-api', appDir: '', apps: ['.:orders-api:rust'], ecosystem: 'rust', language: 'rust', frameworks: ['axum'],
      runtime: 'rust 1.78 @ rust-toolchain.toml:2', packageManager: 'cargo',
      install: 'cargo fetch', build: 'cargo build --release', start: './target/release/orders-api', startProduction: true, dev: null,
      migrate: 'sqlx migrate run', release: null,
      port: '3000 code @ src/config.rs:11', health: ['/health'],
      envRequired: ['DATABASE_URL'], envOptional: ['PORT', 'RUST_LOG'], envUnknown: [],
      datastores: ['postgresql'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { axum: { crate: 'axum' } },
    risks: [/needs migrations: run `sqlx migrate run`/],
  },
  {
    fixture: 'rust-actix',
    expect: {
      // A Cargo workspace with one binary member: that member is the app, built into the workspace's target/.
      name: 'shop-server', appDir: 'crates/server', apps: ['crates/server:shop-server:rust'], ecosystem: 'rust', language: 'rust', frameworks: ['actix'],
      runtime: 'rust 1.77.2 @ rust-toolchain:1', packageManager: 'cargo',
      install: 'cargo fetch', build: 'cargo build --release --bin shop', start: '../../target/release/shop', startProduction: true, dev: null,
      migrate: null, release: null,
      port: '8080 code @ crates/server/src/main.rs:32', health: ['/healthz'],
      envRequired: ['REDIS_URL'], envOptional: ['CART_TTL_SECS', 'WORKERS'], envUnknown: [],
      datastores: ['redis'], artifacts: [], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { actix: { crate: 'actix-web' } },
  },
  // The committed example apps: real repos a user would point deckhand at.
  {
    fixture: 'node-api', example: true,
    expect: {
      name: 'deckhand-example-node-api', appDir: '', apps: ['.:deckhand-example-node-api:node'], ecosystem: 'node', language: 'javascript', frameworks: ['express'],
      runtime: 'node 20 @ .nvmrc:1', packageManager: 'npm',
      install: 'npm ci', build: null, start: 'npm run start', startProduction: true, dev: null, migrate: null, release: null,
      port: '3000 code @ server.js:63', health: ['/health', '/ready'],
      // The server starts without DATABASE_URL (only /ready and /api/items need it).
      envRequired: [], envOptional: ['APP_VERSION', 'DATABASE_URL', 'GIT_COMMIT', 'PORT'], envUnknown: [],
      datastores: ['postgresql'], artifacts: ['env-example:.env.example'], topStrategy: 'pm2', strategy: 'pm2', conflicts: [],
    },
  },
  {
    fixture: 'python-flask', example: true,
    expect: {
      name: 'python-flask', appDir: '', apps: ['.:python-flask:python'], ecosystem: 'python', language: 'python', frameworks: ['flask'],
      runtime: 'python 3.11 @ .python-version:1', packageManager: 'pip',
      install: 'pip install -r requirements.txt', build: null, start: 'gunicorn -b 0.0.0.0:${PORT:-8000} app:app', startProduction: true,
      dev: 'python app.py', migrate: null, release: null,
      // The Procfile's gunicorn bind default, not the dev server's port line.
      port: '8000 deploy-material @ Procfile:1', health: ['/health'],
      envRequired: [], envOptional: ['APP_VERSION', 'GIT_COMMIT', 'PORT'], envUnknown: [],
      datastores: [], artifacts: ['env-example:.env.example', 'procfile:Procfile'], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
    frameworkDetail: { flask: { app: 'app:app' } },
  },
  {
    fixture: 'go-http', example: true,
    expect: {
      name: 'go-http', appDir: '', apps: ['.:go-http:go'], ecosystem: 'go', language: 'go', frameworks: ['net/http'],
      runtime: 'go >=1.19 @ go.mod:3', packageManager: 'go modules',
      install: 'go mod download', build: 'make build', start: './bin/go-http', startProduction: true, dev: null, migrate: null, release: null,
      port: '8080 code @ main.go:39', health: ['/health'],
      envRequired: [], envOptional: ['APP_VERSION', 'HOST', 'PORT'], envUnknown: [],
      datastores: [], artifacts: ['makefile:Makefile'], topStrategy: 'systemd', strategy: 'systemd', conflicts: [],
    },
  },
  {
    fixture: 'static-site', example: true,
    expect: {
      name: 'deckhand-example-static-site', appDir: '', apps: ['.:deckhand-example-static-site:node'], ecosystem: 'node', language: 'javascript', frameworks: ['static-html'],
      runtime: 'node >=18 @ package.json:8', packageManager: 'npm',
      install: null, build: 'npm run build', start: null, startProduction: null, dev: null, migrate: null, release: null,
      port: null, health: ['/health'], envRequired: [], envOptional: ['APP_VERSION'], envUnknown: [],
      datastores: [], artifacts: [], topStrategy: 'static', strategy: 'static', conflicts: [],
    },
    frameworkDetail: { 'static-html': { outDir: 'dist', source: 'src' } },
    topReason: /copied by the build into dist\//,
  },
  {
    fixture: 'compose-stack', example: true,
    expect: {
      // app/, db/ and cache/ only hold the Dockerfiles of the stack's services: one deployable.
      name: 'compose-stack', appDir: '', apps: ['.:compose-stack:unknown'], ...NOTHING, datastores: ['postgresql', 'redis'], ...NO_CMDS,
      // The app listens on 8080 in its container; the README's deploy command checks the published 8081:
      // two different facts, reported as a conflict rather than silently merged.
      port: '8080 deploy-material @ docker-compose.yml:18', health: ['/health'],
      envRequired: [], envOptional: ['APP_PORT', 'BASE_IMAGE', 'PORT'],
      envUnknown: ['APP_VERSION', 'DATABASE_URL', 'POSTGRES_DB', 'POSTGRES_PASSWORD', 'POSTGRES_USER', 'REDIS_URL'],
      artifacts: ['compose:docker-compose.yml', 'deploy-doc:README.md', 'env-example:.env.example'], topStrategy: 'compose', strategy: 'compose',
      conflicts: ['port'],
    },
    topReason: /runs its datastores \(postgresql, redis\) beside the app/,
  },
];

const at = (e: readonly { file: string; line: number | null }[]): string => (e[0] ? `${e[0].file}${e[0].line ? `:${e[0].line}` : ''}` : '?');
const names = (list: BriefData['envVars'], required: boolean | null): string[] => list.filter((e) => e.required === required).map((e) => e.name).sort();

function fields(d: BriefData): Fields {
  const c = d.commands;
  return {
    name: d.app,
    appDir: d.appDir,
    apps: d.apps.map((a) => `${a.dir || '.'}:${a.name}:${a.ecosystem}`),
    ecosystem: d.stack.ecosystem?.value ?? null,
    language: d.stack.language?.value ?? null,
    frameworks: d.stack.frameworks.map((f) => f.value.name),
    runtime: d.stack.runtime ? `${d.stack.runtime.value.runtime} ${d.stack.runtime.value.range} @ ${at(d.stack.runtime.evidence)}` : null,
    packageManager: d.stack.packageManager?.value ?? null,
    install: c.install?.value.command ?? null,
    build: c.build?.value.command ?? null,
    start: c.start?.value.command ?? null,
    startProduction: c.start?.value.production ?? null,
    dev: c.dev?.value.command ?? null,
    migrate: c.migrate?.value.command ?? null,
    release: c.release?.value.command ?? null,
    port: d.port ? `${d.port.value} ${d.port.source} @ ${at(d.port.evidence)}` : null,
    health: d.health.map((h) => h.value).sort(),
    envRequired: names(d.envVars, true),
    envOptional: names(d.envVars, false),
    envUnknown: names(d.envVars, null),
    datastores: d.datastores.map((x) => x.kind).sort(),
    artifacts: d.artifacts.map((a) => `${a.type}:${a.path}`).sort(),
    topStrategy: d.strategies[0]?.name ?? null,
    strategy: d.strategy,
    conflicts: d.conflicts.map((x) => x.field).sort(),
  };
}

const FIELD_NAMES = Object.keys(CASES[0]!.expect) as (keyof Fields)[];
const EXAMPLES = join(FIXTURES, '..', '..', '..', 'examples');
const STARTED = new Date('2026-01-02T03:04:05.000Z');

async function run(c: Case): Promise<DeploymentBrief> {
  // No scripted answers: `git rev-parse` fails, so the fixture (inside this repo's checkout) reports no commit.
  const ctx: RunContext = { executor: new RecordingExecutor(), redactor: new Redactor(), now: () => STARTED };
  return discover(ctx, join(c.example ? EXAMPLES : FIXTURES, c.fixture), c.app === undefined ? {} : { app: c.app });
}

const briefs = new Map<Case, DeploymentBrief>();

describe('every fixture repo has a case', () => {
  const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const covered = new Set(CASES.filter((c) => !c.example).map((c) => c.fixture));
  it('every case names an existing fixture and states every field', () => {
    const examples = readdirSync(EXAMPLES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const c of CASES) {
      assert.ok((c.example ? examples : dirs).includes(c.fixture), `no ${c.example ? 'example' : 'fixture'} ${c.fixture}`);
      assert.deepEqual(Object.keys(c.expect).sort(), [...FIELD_NAMES].sort(), `${c.fixture}${c.app ? ` --app ${c.app}` : ''}`);
    }
    // Monorepo fixtures are described at the root and once per member.
    for (const f of ['mono-npm', 'mono-pnpm-go']) {
      const members = CASES.find((c) => c.fixture === f && c.app === undefined)?.expect.apps.map((a) => a.split(':')[0]) ?? [];
      assert.deepEqual(CASES.filter((c) => c.fixture === f && c.app !== undefined).map((c) => c.app), members, `${f}: one case per app`);
    }
  });
  it('every fixture repo has a case', () => {
    assert.deepEqual(dirs.filter((d) => !covered.has(d)), []);
  });
});

for (const c of CASES) {
  const label = `${c.example ? 'examples/' : ''}${c.fixture}${c.app ? ` --app ${c.app}` : ''}`;
  describe(`brief of ${label}`, async () => {
    const brief = await run(c);
    briefs.set(c, brief);
    const got = fields(brief.data);

    it('is a valid Deployment Brief', () => {
      DeploymentBriefSchema.parse(brief);
      assert.equal(brief.data.commit, null);
    });
    for (const field of FIELD_NAMES) {
      const gap = c.gaps?.[field];
      if (gap) {
        it(`${field} (pinned until the detector fix)`, () => assert.deepEqual(got[field], gap.now, `${label}: ${field}`));
        it(`${field} after the detector fix`, { todo: gap.fix }, () => assert.deepEqual(got[field], c.expect[field], `${label}: ${field}`));
      } else {
        it(field, () => assert.deepEqual(got[field], c.expect[field], `${label}: ${field}`));
      }
    }
    it('framework details', () => {
      for (const [name, detail] of Object.entries(c.frameworkDetail ?? {})) {
        const fw = brief.data.stack.frameworks.find((f) => f.value.name === name);
        assert.ok(fw, `${label}: framework ${name}`);
        for (const [k, v] of Object.entries(detail)) assert.equal(fw.value.detail[k], v, `${label}: ${name}.${k}`);
      }
    });
    it('every strategy carries reasons and needs', () => {
      for (const s of brief.data.strategies) {
        assert.ok(s.reasons.length > 0 && s.reasons.every((r) => r.trim() !== ''), `${label}: ${s.name} reasons`);
        assert.ok(s.needs.length > 0, `${label}: ${s.name} needs`);
      }
      assert.deepEqual(brief.data.strategies.map((s) => s.score), brief.data.strategies.map((s) => s.score).sort((a, b) => b - a), `${label}: ranked by score`);
      if (c.topReason) assert.ok(brief.data.strategies[0]?.reasons.some((r) => c.topReason?.test(r)), `${label}: top strategy reasons ${JSON.stringify(brief.data.strategies[0]?.reasons)}`);
    });
    it('risks: the expected ones, each said once', () => {
      const msgs = brief.data.risks.map((r) => r.message);
      for (const re of c.risks ?? []) assert.ok(msgs.some((m) => re.test(m)), `${label}: no risk matches ${re}\n${msgs.join('\n')}`);
      assert.equal(new Set(msgs).size, msgs.length, `${label}: duplicate risks\n${msgs.join('\n')}`);
      assert.ok(msgs.filter((m) => /dev server/.test(m)).length <= 1, `${label}: the dev-server risk is reported once\n${msgs.join('\n')}`);
    });
    it('problems', () => {
      assert.deepEqual(brief.data.problems.map((p) => p.path).sort(), c.problems ?? [], `${label}: problems`);
    });
  });
}

/** Values of committed .env files (not examples) under the fixtures: they must never reach a brief. */
function committedEnvValues(): { file: string; value: string }[] {
  const out: { file: string; value: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^\.env(\..+)?$/.test(e.name) && !/\.(example|sample|template|dist)$/.test(e.name)) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          const m = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*["']?(.*?)["']?\s*$/.exec(line);
          if (m?.[1] && m[1].length >= 4) out.push({ file: relative(FIXTURES, p), value: m[1] });
        }
      }
    }
  };
  walk(FIXTURES);
  return out;
}

describe('secrets stay out of briefs', () => {
  const secrets = committedEnvValues();
  it('the fixtures do commit .env values to guard', () => {
    assert.ok(secrets.some((s) => s.file === 'artifacts-compose/.env'), JSON.stringify(secrets));
  });
  it('no committed .env value appears in any brief, as JSON or as Markdown', () => {
    assert.equal(briefs.size, CASES.length, 'every brief was built');
    for (const [c, brief] of briefs) {
      const json = JSON.stringify(brief);
      const md = renderBriefMarkdown(brief);
      for (const s of secrets) {
        assert.ok(!json.includes(s.value), `${c.fixture}: a value of ${s.file} is in the brief JSON`);
        assert.ok(!md.includes(s.value), `${c.fixture}: a value of ${s.file} is in the brief Markdown`);
      }
    }
  });
  it('a literal SECRET_KEY committed in settings is named as a risk, never quoted', () => {
    const c = CASES.find((x) => x.fixture === 'python-insecure');
    const brief = c ? briefs.get(c) : undefined;
    assert.ok(brief);
    assert.ok(!JSON.stringify(brief).includes('canary-django-insecure-77'));
  });
});
