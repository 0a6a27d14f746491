// PHP discovery detectors: fixtures read through buildRepoIndex, edge cases through memoryRepo, and the resolved brief of each fixture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import type { DeploymentBrief } from '../../src/report/brief.js';
import { envFilesDetector } from '../../src/stages/discover/detectors/artifacts/env-files.js';
import { ALL_DETECTORS } from '../../src/stages/discover/detectors/index.js';
import { detectors } from '../../src/stages/discover/detectors/php/index.js';
import { discover, resolveBrief } from '../../src/stages/discover/index.js';
import { runDetectors } from '../../src/stages/discover/run-detectors.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, FIXTURES, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);

const at = (e: { file: string; line: number | null } | undefined): [string | undefined, number | null | undefined] => [e?.file, e?.line];

describe('php detectors: laravel fixture', () => {
  it('finds ecosystem, language, composer with the lockfile, runtime and laravel served by php-fpm', async () => {
    const s = await fixture('php-laravel');
    assert.deepEqual(of(s, 'ecosystem').map((e) => [e.value, e.confidence]), [['php', 'high']]);
    assert.deepEqual(of(s, 'language').map((e) => e.value), ['php']);
    const pm = of(s, 'package-manager');
    assert.deepEqual(pm.map((p) => [p.value, p.confidence, p.evidence[0]?.file]), [['composer', 'high', 'composer.lock']]);
    const install = cmds(s, 'install');
    assert.deepEqual(install.map((c) => [c.command, c.production, c.source]), [['composer install --no-dev --optimize-autoloader', true, 'build-file']]);
    const rt = of(s, 'runtime');
    assert.deepEqual(rt.map((r) => [r.runtime, r.range, r.source, ...at(r.evidence[0])]), [['php', '^8.2', 'build-file', 'composer.json', 7]]);
    assert.equal(rt[0]?.evidence[0]?.text, '"php": "^8.2",');
    const fw = of(s, 'framework');
    assert.equal(fw.length, 1);
    assert.equal(fw[0]?.value, 'laravel');
    assert.equal(fw[0]?.confidence, 'high');
    assert.deepEqual(fw[0]?.detail, { server: 'php-fpm', webServer: 'nginx', documentRoot: 'public' });
    assert.deepEqual(fw[0]?.evidence.map(at), [['composer.json', 8], ['artisan', null]]);
    assert.equal(of(s, 'problem').length, 0);
  });

  it('php-fpm for production, artisan serve as dev only, caches at release, test and migrate', async () => {
    const s = await fixture('php-laravel');
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production, c.source, c.confidence]), [['php-fpm', true, 'fallback', 'medium']]);
    assert.deepEqual(start[0]?.evidence.map(at), [['composer.json', 8], ['public/index.php', null]]);
    const dev = cmds(s, 'dev');
    assert.deepEqual(dev.map((c) => [c.command, c.production, c.source, ...at(c.evidence[0])]), [['php artisan serve --port=8080', false, 'build-file', 'composer.json', 31]]);
    assert.deepEqual(cmds(s, 'release').map((c) => [c.command, c.production]), [['php artisan config:cache && php artisan route:cache && php artisan view:cache', true]]);
    assert.equal(cmds(s, 'build').length, 0, 'no package.json: no asset build');
    assert.deepEqual(cmds(s, 'test').map((c) => [c.command, c.evidence[0]?.file]), [['php artisan test', 'phpunit.xml']]);
    const migrate = cmds(s, 'migrate');
    assert.deepEqual(migrate.map((c) => [c.command, c.production, c.source]), [['php artisan migrate --force', true, 'build-file']]);
    assert.equal(migrate[0]?.evidence[0]?.file, 'database/migrations/2024_05_01_000000_create_invoices_table.php');
  });

  it('ports: only the dev server states one, as a low-confidence fallback', async () => {
    const s = await fixture('php-laravel');
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.confidence, ...at(p.evidence[0])]), [[8080, 'fallback', 'low', 'composer.json', 31]]);
  });

  it('health: the framework /up route and routes/api.php under /api; commented routes ignored', async () => {
    const s = await fixture('php-laravel');
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => [x.path, ...at(x.evidence[0]), x.source]), [['/up', 'bootstrap/app.php', 12, 'code'], ['/api/status', 'routes/api.php', 7, 'code']]);
    assert.equal(h[0]?.evidence[0]?.text, "health: '/up',");
  });

  it('env: config/ reads without default are required, defaults optional, tests/ and comments skipped', async () => {
    const s = await fixture('php-laravel');
    assert.deepEqual(envMap(s), {
      APP_NAME: false, APP_ENV: false, APP_DEBUG: false, APP_URL: false, APP_LOCALE: false, APP_KEY: true, APP_PREVIOUS_KEYS: false,
      DB_CONNECTION: false, DB_DATABASE: false, DB_HOST: false, DB_PORT: false, DB_USERNAME: false, DB_PASSWORD: true,
      REDIS_CLIENT: false, REDIS_HOST: false, REDIS_PORT: false, STRIPE_SECRET: true, STRIPE_WEBHOOK_TOLERANCE: false, MAILGUN_DOMAIN: false,
    });
    const key = of(s, 'env').filter((e) => e.name === 'APP_KEY');
    assert.equal(key.length, 1, 'APP_KEY found in config/app.php: no fallback signal on top');
    assert.deepEqual([...at(key[0]?.evidence[0]), key[0]?.evidence[0]?.text, key[0]?.source], ['config/app.php', 20, "'key' => env('APP_KEY'),", 'code']);
    const pw = of(s, 'env').find((e) => e.name === 'DB_PASSWORD');
    assert.deepEqual(at(pw?.evidence[0]), ['config/database.php', 20]);
    const name = of(s, 'env').find((e) => e.name === 'APP_NAME');
    assert.equal(name?.evidence[0]?.text, "'name' => env('APP_NAME', '***'),", 'defaults are values: masked');
    const all = JSON.stringify(of(s, 'env'));
    assert.ok(!all.includes('TEST_ONLY_TOKEN'), 'tests/ is skipped');
    assert.ok(!all.includes('DATABASE_URL'), 'a commented-out read is no read');
    assert.ok(!all.includes('mg.example.com'));
  });

  it('datastores from .env.example drivers (not the sqlite config default) and predis; no risks', async () => {
    const s = await fixture('php-laravel');
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.required, d.source, ...at(d.evidence[0])]), [
      ['postgresql', true, 'docs', '.env.example', 9],
      ['redis', true, 'docs', '.env.example', 16],
      ['smtp', null, 'docs', '.env.example', 19],
      ['redis', null, 'build-file', 'composer.json', 10],
    ]);
    assert.ok(!ds.some((d) => d.value === 'sqlite'), 'DB_CONNECTION in .env.example overrides the config default');
    assert.equal(of(s, 'risk').length, 0, 'APP_DEBUG=true in an example file and a false debug default are fine');
  });
});

describe('php detectors: symfony fixture', () => {
  it('symfony with bin/console, runtime from require.php and config.platform.php', async () => {
    const s = await fixture('php-symfony');
    assert.deepEqual(of(s, 'ecosystem').map((e) => e.value), ['php']);
    assert.deepEqual(of(s, 'package-manager').map((p) => p.value), ['composer']);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, r.confidence, ...at(r.evidence[0])]), [['>=8.2', 'high', 'composer.json', 7], ['8.3.0', 'medium', 'composer.json', 26]]);
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.detail?.documentRoot, f.detail?.server]), [['symfony', 'public', 'php-fpm']]);
    assert.deepEqual(fw[0]?.evidence.map(at), [['composer.json', 16], ['bin/console', null]]);
  });

  it('the committed fpm pool makes php-fpm the repo start command and 9000 the port; php -S is dev only', async () => {
    const s = await fixture('php-symfony');
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production, c.source, ...at(c.evidence[0])]), [['php-fpm', true, 'build-file', 'docker/php-fpm/zz-catalog.conf', 4]]);
    assert.deepEqual(cmds(s, 'dev').map((c) => [c.command, c.production, ...at(c.evidence[0])]), [['php -S 127.0.0.1:8000 -t public', false, 'composer.json', 40]]);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence, ...at(p.evidence[0])]), [
      [9000, 'deploy-material', 'high', 'docker/php-fpm/zz-catalog.conf', 4],
      [8000, 'fallback', 'low', 'composer.json', 40],
    ]);
    assert.deepEqual(cmds(s, 'test').map((c) => [c.command, c.source]), [['composer test', 'build-file'], ['vendor/bin/phpunit', 'build-file']]);
    const migrate = cmds(s, 'migrate');
    assert.deepEqual(migrate.map((c) => [c.command, c.confidence]), [['php bin/console doctrine:migrations:migrate --no-interaction', 'high']]);
    assert.deepEqual(migrate[0]?.evidence.map(at), [['composer.json', 11], ['migrations/Version20240501000000.php', null]]);
    assert.deepEqual(cmds(s, 'release').map((c) => c.command), ['APP_ENV=prod APP_DEBUG=0 php bin/console cache:clear']);
  });

  it('health from #[Route], %env()% names (default: processor optional), .env defaults, datastores by scheme only', async () => {
    const s = await fixture('php-symfony');
    assert.deepEqual(of(s, 'health').map((h) => [h.path, ...at(h.evidence[0])]), [['/healthz', 'src/Controller/HealthController.php', 16]]);
    // .env names are defaults (required false); config reads without a default stay required (resolve keeps the strictest).
    const code = of(s, 'env').filter((e) => e.source === 'code');
    assert.deepEqual(Object.fromEntries(code.map((e) => [e.name, e.required])), {
      APP_REGION: false, DATABASE_URL: true, APP_SECRET: true, MESSENGER_TRANSPORT_DSN: true, CATALOG_CURRENCY: false,
    });
    assert.deepEqual(at(code.find((e) => e.name === 'DATABASE_URL')?.evidence[0]), ['config/packages/doctrine.yaml', 3]);
    const defaults = of(s, 'env').filter((e) => e.source === 'docs');
    assert.deepEqual(defaults.map((e) => [e.name, e.required, e.hasExample, e.evidence[0]?.line]), [
      ['APP_ENV', false, true, 4], ['APP_SECRET', false, true, 5], ['DATABASE_URL', false, true, 9], ['MESSENGER_TRANSPORT_DSN', false, true, 13],
    ]);
    assert.ok(!of(s, 'env').some((e) => e.name === 'DATABASE_REPLICA_URL'), 'YAML comments are skipped');
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.required, d.source, d.evidence[0]?.text]), [
      ['postgresql', true, 'docs', 'DATABASE_URL=postgresql://…'],
      ['rabbitmq', null, 'docs', 'MESSENGER_TRANSPORT_DSN=amqp://…'],
      ['rabbitmq', null, 'build-file', '"symfony/amqp-messenger": "7.1.*",'],
    ]);
    const all = JSON.stringify(s);
    for (const secret of ['!ChangeMe!', 'guest:guest', '127.0.0.1:5432', 'eu-west-1']) assert.ok(!all.includes(secret), `${secret} must not be reported`);
  });
});

describe('php detectors: edge cases', () => {
  it('invalid composer.json → a problem with file and line; discovery goes on from artisan and the raw text', async () => {
    const s = await run(memoryRepo({ 'composer.json': '{\n  "require": {\n    "php": "^8.1",\n    "laravel/framework": "^10.0",\n  }\n}\n', artisan: '#!/usr/bin/env php\n<?php\n' }));
    const p = of(s, 'problem');
    assert.equal(p.length, 1);
    assert.equal(p[0]?.evidence[0]?.file, 'composer.json');
    assert.equal(p[0]?.evidence[0]?.line, 5);
    assert.match(p[0]?.message ?? '', /composer\.json is not valid JSON/);
    assert.deepEqual(of(s, 'ecosystem').map((e) => [e.value, e.confidence]), [['php', 'medium']]);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, r.evidence[0]?.line]), [['^8.1', 3]]);
    assert.deepEqual(of(s, 'framework').map((f) => f.value), ['laravel']);
    assert.deepEqual(cmds(s, 'start').map((c) => c.command), ['php-fpm']);
  });

  it('not a php app → no signals', async () => {
    assert.deepEqual(await run(memoryRepo({ 'package.json': '{}', 'public/index.php': "<?php\necho getenv('X');\n" })), []);
  });

  it('env forms: env() outside config is unknown and a risk, getenv/superglobals, $_SERVER request keys and assignments skipped', async () => {
    const s = await run(memoryRepo({
      'composer.json': '{"require": {"laravel/framework": "^11.0"}}',
      artisan: '<?php\n',
      'app/Services/Billing.php': [
        '<?php', 'class Billing {', '  public function go() {',
        "    $a = env('FEATURE_EXPORTS');", "    $b = getenv('GETENV_PLAIN');", "    $c = getenv('GETENV_GUARDED') ?: 'x';",
        "    $d = $_ENV['ENV_PLAIN'];", "    $e = $_SERVER['MODE_GUARDED'] ?? 'y';", "    $f = $_SERVER['REQUEST_URI'];", "    $_ENV['ASSIGNED'] = '1';",
        "    $g = $_ENV['lower_case'] ?? null;", "    if (isset($_ENV['ISSET_ONLY'])) {}", "    # $h = env('HASH_COMMENTED');", "    /* env('BLOCK_COMMENTED') */",
        "    $s = 'not // a comment'; $i = env('AFTER_STRING');", '  }', '}',
      ].join('\n'),
      'vendor/acme/x/src/X.php': "<?php\nenv('VENDORED');\n",
    }));
    assert.deepEqual(envMap(s), {
      FEATURE_EXPORTS: null, AFTER_STRING: null, GETENV_PLAIN: null, GETENV_GUARDED: false, ENV_PLAIN: null, MODE_GUARDED: false, ISSET_ONLY: false, APP_KEY: true,
    });
    const key = of(s, 'env').find((e) => e.name === 'APP_KEY');
    assert.deepEqual([key?.source, key?.evidence[0]?.file], ['fallback', 'composer.json'], 'Laravel needs APP_KEY even with no config file naming it');
    const risk = of(s, 'risk');
    assert.equal(risk.length, 1);
    assert.match(risk[0]?.message ?? '', /env\(\) is read outside config\/ \(FEATURE_EXPORTS, AFTER_STRING\).*config:cache/);
    assert.deepEqual(at(risk[0]?.evidence[0]), ['app/Services/Billing.php', 4]);
  });

  it("config/app.php: 'debug' => true and a committed APP_KEY are risks, values never shown", async () => {
    const s = await run(memoryRepo({
      'composer.json': '{"require": {"laravel/framework": "^11.0"}}',
      'config/app.php': "<?php\nreturn [\n    'debug' => true,\n    'key' => 'base64:canaryKeyValue0123456789abcdef=',\n];\n",
      '.env.example': 'APP_DEBUG=true\n',
    }));
    const risks = of(s, 'risk');
    assert.deepEqual(risks.map((r) => [r.severity, r.evidence[0]?.line]), [['warning', 3], ['warning', 4]]);
    assert.match(risks[0]?.message ?? '', /'debug' => true is hard-coded in config\/app\.php/);
    assert.match(risks[1]?.message ?? '', /insecure default APP_KEY/);
    assert.ok(!JSON.stringify(s).includes('canary'));
    const fallback = await run(memoryRepo({
      'composer.json': '{"require": {"laravel/framework": "^11.0"}}',
      'config/app.php': "<?php\nreturn [\n    'debug' => (bool) env('APP_DEBUG', true),\n];\n",
    }));
    assert.deepEqual(of(fallback, 'risk').map((r) => r.message), ['debug defaults to on in config/app.php when APP_DEBUG is unset: make the default false so production never runs with debug on']);
  });

  it('runtime from .php-version and .tool-versions; Composer "|" and "," constraints become semver ranges', async () => {
    const s = await run(memoryRepo({
      'composer.json': '{\n  "require": {\n    "php": "^8.1|^8.2, <8.4"\n  }\n}\n',
      '.php-version': '8.3\n',
      '.tool-versions': 'nodejs 20.11.0\nphp 8.3.4\n',
    }));
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, ...at(r.evidence[0])]), [['^8.1 || ^8.2 <8.4', 'composer.json', 3], ['8.3', '.php-version', 1], ['8.3.4', '.tool-versions', 2]]);
    assert.deepEqual(of(s, 'package-manager').map((p) => [p.value, p.confidence]), [['composer', 'medium']], 'no lockfile: Composer, less sure');
    assert.equal(cmds(s, 'start').length, 0, 'no framework or front controller: nothing to serve');
  });

  it('slim and lumen routes, a socket fpm pool (no port), APP_URL port, composer datastores, asset build', async () => {
    const slim = await run(memoryRepo({
      'composer.json': JSON.stringify({ require: { 'slim/slim': '^4.12', 'php-amqplib/php-amqplib': '^3.6', 'mongodb/mongodb': '^1.19', 'aws/aws-sdk-php': '^3.3' } }, null, 2),
      'public/index.php': [
        '<?php', '$app = AppFactory::create();', "$app->get('/ping', function ($request, $response) { return $response; });",
        "$app->get('/status', PingAction::class);", "$value = $request->get('status', 'open');",
      ].join('\n'),
      'docker/www.conf': '[www]\nlisten = /run/php/app.sock\npm = ondemand\n',
      'nginx/site.conf': 'server {\n  listen 8080;\n}\n',
      '.env.example': 'APP_URL=http://localhost:8081\n',
      'package.json': '{\n  "private": true,\n  "scripts": {\n    "dev": "vite",\n    "build": "vite build"\n  }\n}\n',
      'package-lock.json': '{}',
    }));
    assert.deepEqual(of(slim, 'framework').map((f) => [f.value, f.detail?.documentRoot]), [['slim', 'public']]);
    assert.deepEqual(of(slim, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/ping', 3], ['/status', 4]]);
    assert.deepEqual(cmds(slim, 'start').map((c) => [c.command, c.source, c.evidence[0]?.file]), [['php-fpm', 'build-file', 'docker/www.conf']]);
    assert.deepEqual(of(slim, 'port').map((p) => [p.port, p.source, ...at(p.evidence[0])]), [[8081, 'docs', '.env.example', 1]], 'a socket pool has no port; nginx confs are not fpm pools');
    assert.deepEqual(of(slim, 'datastore').map((d) => [d.value, d.confidence]), [['rabbitmq', 'high'], ['mongodb', 'high'], ['s3', 'low']]);
    assert.deepEqual(cmds(slim, 'build').map((c) => [c.command, ...at(c.evidence[0])]), [['npm ci && npm run build', 'package.json', 5]]);

    const lumen = await run(memoryRepo({
      'composer.json': '{"require": {"laravel/lumen-framework": "^10.0"}}',
      artisan: '<?php\n',
      'routes/web.php': "<?php\n$router->get('/health', function () { return 'ok'; });\n",
      'database/migrations/2024_01_01_000000_a.php': '<?php\n',
      'app/Providers/AppServiceProvider.php': "<?php\n$x = env('LUMEN_FLAG');\n",
    }));
    assert.deepEqual(of(lumen, 'framework').map((f) => f.value), ['lumen']);
    assert.deepEqual(of(lumen, 'health').map((h) => h.path), ['/health']);
    assert.deepEqual(cmds(lumen, 'migrate').map((c) => c.command), ['php artisan migrate --force']);
    assert.deepEqual(envMap(lumen), { LUMEN_FLAG: null }, 'Lumen reads env() at run time: no APP_KEY fallback, no config:cache risk');
    assert.equal(of(lumen, 'risk').length, 0);
  });

  it('symfony class-level route prefix, annotations and routes.yaml; laravel apiPrefix and config default datastore', async () => {
    const sf = await run(memoryRepo({
      'composer.json': '{"require": {"symfony/framework-bundle": "^7.0"}}',
      'src/Controller/Ops.php': "<?php\n#[Route('/ops')]\nfinal class Ops {\n    #[Route(path: '/ready', name: 'ready')]\n    public function ready() {}\n}\n",
      'src/Controller/Legacy.php': '<?php\nclass Legacy {\n    /**\n     * @Route("/heartbeat")\n     */\n    public function beat() {}\n}\n',
      'config/routes.yaml': 'live:\n    path: /livez\n    controller: App\\Controller\\Ops::live\n',
    }));
    assert.deepEqual(of(sf, 'health').map((h) => [h.path, ...at(h.evidence[0])]), [
      ['/heartbeat', 'src/Controller/Legacy.php', 4], ['/ops/ready', 'src/Controller/Ops.php', 4], ['/livez', 'config/routes.yaml', 2],
    ]);
    const lv = await run(memoryRepo({
      'composer.json': '{"require": {"laravel/framework": "^11.0"}}',
      artisan: '<?php\n',
      'bootstrap/app.php': "<?php\nreturn Application::configure()->withRouting(\n    api: __DIR__.'/../routes/api.php',\n    apiPrefix: 'api/v2',\n)->create();\n",
      'routes/api.php': "<?php\nRoute::middleware('throttle')->get('/health', fn () => ['ok' => true]);\n",
      'config/database.php': "<?php\nreturn [\n    'default' => env('DB_CONNECTION', 'mysql'),\n];\n",
    }));
    assert.deepEqual(of(lv, 'health').map((h) => h.path), ['/api/v2/health']);
    assert.deepEqual(of(lv, 'datastore').map((d) => [d.value, d.required, d.source, ...at(d.evidence[0])]), [['mysql', true, 'code', 'config/database.php', 3]]);
  });
});

/** Runs full discovery on a fixture, as `deckhand discover DIR` does. */
async function briefOf(name: string): Promise<DeploymentBrief['data']> {
  const brief = await discover({ executor: new RecordingExecutor(), redactor: new Redactor() }, `${FIXTURES}${name}`);
  return brief.data;
}

describe('php: committed .env files', () => {
  it("Symfony's committed .env of defaults is named as the convention it is; a committed .env.local is still a plain leak", async () => {
    const risks = async (files: Record<string, string>): Promise<string[]> =>
      of(await envFilesDetector.detect({ repo: memoryRepo(files), appDir: '' }), 'risk').map((r) => r.message);
    const symfony = { 'composer.json': JSON.stringify({ require: { 'symfony/framework-bundle': '7.1.*', 'symfony/dotenv': '7.1.*' } }), '.env': 'APP_ENV=dev\nAPP_SECRET=\n' };
    const [defaults] = await risks(symfony);
    assert.match(defaults ?? '', /^a \.env file of defaults is committed \(\.env, 2 variables\), as Symfony's Dotenv expects;.*real values go in \.env\.local/);
    const local = await risks({ ...symfony, '.env.local': 'APP_SECRET=x\n' });
    assert.ok(local.some((m) => /^a \.env file is committed \(\.env\.local, 1 variable\); its values are not reported/.test(m)), local.join('\n'));
    const noDotenv = await risks({ 'composer.json': JSON.stringify({ require: { 'laravel/framework': '^11.0' } }), '.env': 'APP_KEY=base64:x\n' });
    assert.match(noDotenv[0] ?? '', /^a \.env file is committed \(\.env, 1 variable\)/);
  });
});

describe('php: the resolved Deployment Brief', () => {
  it('laravel fixture', async () => {
    const d = await briefOf('php-laravel');
    assert.deepEqual(d.apps.map((a) => [a.dir, a.ecosystem]), [['', 'php']]);
    assert.equal(d.stack.ecosystem?.value, 'php');
    assert.equal(d.stack.language?.value, 'php');
    assert.equal(d.stack.packageManager?.value, 'composer');
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source], [{ runtime: 'php', range: '^8.2' }, 'build-file']);
    assert.deepEqual(d.runtimes, [{ name: 'php', range: '^8.2' }]);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['laravel']);
    assert.equal(d.commands.install?.value.command, 'composer install --no-dev --optimize-autoloader');
    assert.equal(d.commands.build, null);
    assert.deepEqual(d.commands.start?.value, { command: 'php-fpm', production: true });
    assert.equal(d.commands.release?.value.command, 'php artisan config:cache && php artisan route:cache && php artisan view:cache');
    assert.equal(d.commands.migrate?.value.command, 'php artisan migrate --force');
    // Only the dev server names a port: a low-confidence fallback, visible as such.
    assert.deepEqual([d.port?.value, d.port?.source, d.port?.confidence], [8080, 'fallback', 'low']);
    assert.deepEqual(d.health.map((h) => h.value), ['/up', '/api/status']);
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => [e.name, e.secret, e.hasExample]), [
      ['APP_KEY', true, true], ['DB_PASSWORD', true, true], ['STRIPE_SECRET', true, true],
    ]);
    assert.deepEqual(d.envVars.filter((e) => e.required === false).map((e) => e.name), [
      'APP_DEBUG', 'APP_ENV', 'APP_LOCALE', 'APP_NAME', 'APP_PREVIOUS_KEYS', 'APP_URL', 'DB_CONNECTION', 'DB_DATABASE', 'DB_HOST', 'DB_PORT',
      'DB_USERNAME', 'MAILGUN_DOMAIN', 'REDIS_CLIENT', 'REDIS_HOST', 'REDIS_PORT', 'STRIPE_WEBHOOK_TOLERANCE',
    ]);
    assert.deepEqual(d.envVars.filter((e) => e.required === null).map((e) => e.name), ['CACHE_STORE', 'LOG_CHANNEL', 'MAIL_HOST', 'MAIL_MAILER'], 'names only in .env.example');
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', true], ['redis', true], ['smtp', null]]);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.risks.map((r) => r.message), ['the database needs migrations: run `php artisan migrate --force` before the new release serves traffic']);
    assert.deepEqual(d.conflicts, []);
    assert.deepEqual(d.problems, []);
  });

  it('laravel fixture: the systemd strategy says nginx fronts php-fpm', async () => {
    const d = await briefOf('php-laravel');
    assert.ok(d.strategies.find((s) => s.name === 'systemd')?.needs.some((n) => /nginx/.test(n) && /public/.test(n)));
  });

  it('symfony fixture', async () => {
    const d = await briefOf('php-symfony');
    assert.equal(d.stack.ecosystem?.value, 'php');
    assert.equal(d.stack.language?.value, 'php');
    assert.equal(d.stack.packageManager?.value, 'composer');
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source], [{ runtime: 'php', range: '>=8.2' }, 'build-file']);
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['symfony']);
    assert.equal(d.commands.install?.value.command, 'composer install --no-dev --optimize-autoloader');
    assert.equal(d.commands.build, null);
    assert.deepEqual([d.commands.start?.value, d.commands.start?.source], [{ command: 'php-fpm', production: true }, 'build-file']);
    assert.deepEqual(d.commands.dev?.value, { command: 'php -S 127.0.0.1:8000 -t public', production: false });
    assert.equal(d.commands.migrate?.value.command, 'php bin/console doctrine:migrations:migrate --no-interaction');
    assert.deepEqual([d.port?.value, d.port?.source], [9000, 'deploy-material']);
    assert.deepEqual(d.ports, [9000]);
    assert.deepEqual(d.health.map((h) => h.value), ['/healthz']);
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => [e.name, e.secret, e.hasExample]), [
      ['APP_SECRET', true, true], ['DATABASE_URL', true, true], ['MESSENGER_TRANSPORT_DSN', true, true],
    ]);
    assert.deepEqual(d.envVars.filter((e) => e.required !== true).map((e) => [e.name, e.required]), [['APP_ENV', false], ['APP_REGION', false], ['CATALOG_CURRENCY', false]]);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', true], ['rabbitmq', null]]);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.conflicts, [], 'require.php >=8.2 and platform 8.3.0 agree');
    assert.ok(d.risks.some((r) => /doctrine:migrations:migrate/.test(r.message)));
    assert.ok(!JSON.stringify(d).includes('!ChangeMe!'));
  });

  it('laravel with Vite assets: the PHP app keeps its stack, Composer install and php-fpm', async () => {
    const repo = memoryRepo({
      'composer.json': JSON.stringify({ require: { php: '^8.3', 'laravel/framework': '^11.0' } }, null, 4),
      'composer.lock': '{}', artisan: '#!/usr/bin/env php\n<?php\n', 'public/index.php': '<?php\n',
      'package.json': JSON.stringify({ private: true, type: 'module', scripts: { build: 'vite build', dev: 'vite' }, devDependencies: { 'laravel-vite-plugin': '^1.0', vite: '^5.0' } }, null, 2),
      'package-lock.json': '{}', 'vite.config.js': "import laravel from 'laravel-vite-plugin';\n",
    });
    const signals = await runDetectors(repo, '', ALL_DETECTORS);
    const apps = [{ dir: '', name: 'shop', ecosystem: 'php', reason: 'single app with a PHP web framework in composer.json', evidence: [] }];
    const d = await resolveBrief(repo, signals, { app: 'shop', root: '/memory', appDir: '', commit: null, apps });
    assert.equal(d.stack.ecosystem?.value, 'php');
    assert.equal(d.stack.language?.value, 'php');
    assert.equal(d.stack.packageManager?.value, 'composer');
    assert.deepEqual(d.stack.runtime?.value, { runtime: 'php', range: '^8.3' });
    assert.equal(d.commands.install?.value.command, 'composer install --no-dev --optimize-autoloader');
    assert.equal(d.commands.build?.value.command, 'npm ci && npm run build');
    assert.equal(d.commands.start?.value.command, 'php-fpm');
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.conflicts, []);
  });
});
