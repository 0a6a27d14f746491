// PHP start/dev/release/test/migrate commands: php-fpm behind nginx in production, artisan/console tasks from the framework's conventions.
import { cite } from '../../evidence.js';
import type { CommandRole, Confidence, DetectContext, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { dep, inApp, isPhpApp, type Composer } from './common.js';
import { devServers } from './dev-servers.js';
import { fpmPools } from './fpm.js';
import { phpProject } from './project.js';

const NAME = 'php-commands';

function cmd(role: CommandRole, command: string, production: boolean, evidence: Evidence[], source: SourceClass, confidence: Confidence): Signal {
  return { kind: 'command', role, command, production, evidence, source, confidence, detector: NAME };
}

/**
 * Laravel's [major, minor]: the version composer.lock installed, else the lowest the laravel/framework constraint
 * allows (`5.4.*` → 5.4, `^10.0` → 10.0, `5.4.*|5.5.*` → 5.4). Null when neither says.
 */
async function laravelVersion(ctx: DetectContext, c: Composer | null): Promise<[number, number] | null> {
  const lockPath = inApp(ctx.appDir, 'composer.lock');
  const lock = ctx.repo.has(lockPath) ? await ctx.repo.read(lockPath) : null;
  const locked = lock ? /"name"\s*:\s*"laravel\/framework"\s*,\s*"version"\s*:\s*"v?(\d+)\.(\d+)/.exec(lock) : null;
  if (locked) return [Number(locked[1]), Number(locked[2])];
  const constraint = dep(c, 'laravel/framework')?.constraint ?? '';
  const versions = [...constraint.matchAll(/(\d+)(?:\.(\d+|\*))?/g)].map((m): [number, number] => [Number(m[1]), m[2] === undefined || m[2] === '*' ? 0 : Number(m[2])]);
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return versions[0] ?? null;
}

export const phpCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    const out: Signal[] = [];
    const fw = p.main;
    const has = (rel: string): string | null => { const path = inApp(ctx.appDir, rel); return ctx.repo.has(path) ? path : null; };
    const firstUnder = (rel: string): string | null => ctx.repo.under(inApp(ctx.appDir, rel)).map((f) => f.path).sort()[0] ?? null;

    // Production: php-fpm runs the code, nginx serves the document root and passes *.php to it. A committed pool
    // config is the repo saying so; otherwise it is the recommendation for any web framework or front controller.
    const pool = (await fpmPools(ctx))[0];
    if (pool) out.push(cmd('start', 'php-fpm', true, [pool.evidence], 'build-file', 'high'));
    else if (fw || p.frontController) {
      const ev: Evidence[] = [...(fw?.evidence.slice(0, 1) ?? []), ...(p.frontController ? [{ file: p.frontController, line: null }] : [])];
      out.push(cmd('start', 'php-fpm', true, ev, 'fallback', 'medium'));
    }

    const dev = await devServers(ctx);
    for (const d of dev) out.push(cmd('dev', d.command, false, [d.evidence], d.source, 'high'));
    const artisan = has('artisan');
    if (fw?.id === 'laravel' && artisan && dev.length === 0) out.push(cmd('dev', 'php artisan serve', false, [{ file: artisan, line: null }], 'fallback', 'medium'));

    // Caches are built on the target after install, with the production environment in place:
    // config:cache freezes the env values it sees, so it must not run on a build machine.
    if (fw?.id === 'laravel' && artisan) {
      // view:cache arrived in Laravel 5.6: on older versions the command does not exist and the release would fail.
      const version = await laravelVersion(ctx, p.composer);
      const views = version === null || version[0] > 5 || (version[0] === 5 && version[1] >= 6);
      out.push(cmd('release', `php artisan config:cache && php artisan route:cache${views ? ' && php artisan view:cache' : ''}`, true, [{ file: artisan, line: null }], 'fallback', 'medium'));
    }
    const console = has('bin/console');
    if (fw?.id === 'symfony' && console) out.push(cmd('release', 'APP_ENV=prod APP_DEBUG=0 php bin/console cache:clear', true, [{ file: console, line: null }], 'fallback', 'medium'));

    // Front-end assets (Vite/Mix) of a PHP app: the node group reports `npm run build` alone, but in a PHP app the
    // install slot is Composer's, so the asset build carries its own frozen install.
    const pkgPath = has('package.json');
    const pkgText = pkgPath ? await ctx.repo.read(pkgPath) : null;
    const scripts = pkgText ? /"scripts"\s*:\s*\{[^}]*\}/.exec(pkgText) : null;
    const build = scripts ? /"build"\s*:\s*"[^"]*"/.exec(scripts[0]) : null;
    if (pkgPath && pkgText && scripts && build) {
      const assets = has('pnpm-lock.yaml') ? 'pnpm install --frozen-lockfile && pnpm run build'
        : has('yarn.lock') ? 'yarn install --frozen-lockfile && yarn run build'
          : has('package-lock.json') ? 'npm ci && npm run build' : 'npm install && npm run build';
      out.push(cmd('build', assets, true, [cite(pkgPath, pkgText, scripts.index + build.index)], 'build-file', 'medium'));
    }

    const testScript = p.composer?.scripts.get('test');
    const phpunitXml = has('phpunit.xml') ?? has('phpunit.xml.dist');
    if (testScript) out.push(cmd('test', 'composer test', true, [testScript.evidence], 'build-file', 'high'));
    if (fw?.id === 'laravel' && artisan) out.push(cmd('test', 'php artisan test', true, [{ file: phpunitXml ?? artisan, line: null }], 'fallback', 'medium'));
    else if (phpunitXml) out.push(cmd('test', 'vendor/bin/phpunit', true, [{ file: phpunitXml, line: null }], 'build-file', 'medium'));

    // Migrations: --force / --no-interaction because production refuses to migrate without confirmation otherwise.
    const laravelMigration = (fw?.id === 'laravel' || fw?.id === 'lumen') && artisan ? firstUnder('database/migrations') : null;
    if (laravelMigration) out.push(cmd('migrate', 'php artisan migrate --force', true, [{ file: laravelMigration, line: null }], 'build-file', 'medium'));
    const doctrine = fw?.id === 'symfony' && console ? firstUnder('migrations') : null;
    if (doctrine) {
      const bundle = p.composer?.deps.get('doctrine/doctrine-migrations-bundle');
      out.push(cmd('migrate', 'php bin/console doctrine:migrations:migrate --no-interaction', true, [...(bundle ? [bundle.evidence] : []), { file: doctrine, line: null }], 'build-file', bundle ? 'high' : 'medium'));
    }
    return out;
  },
};
