// Recognises the PHP framework of an app (Laravel, Lumen, Symfony, Slim, Laminas, CakePHP, Yii) from composer.json and its entry files.
import type { Confidence, DetectContext, Evidence } from '../../types.js';
import { composer, dep, inApp, phpSources, type Composer, type PhpSource } from './common.js';

export type PhpFrameworkId = 'laravel' | 'lumen' | 'symfony' | 'slim' | 'laminas' | 'cakephp' | 'yii2';

export interface PhpFramework {
  id: PhpFrameworkId;
  evidence: Evidence[];
  confidence: Confidence;
  /** The folder nginx serves and passes *.php to php-fpm from (the framework's front controller lives there). */
  documentRoot: string;
}

export interface PhpProject {
  composer: Composer | null;
  sources: PhpSource[];
  frameworks: PhpFramework[];
  /** The first framework, the one commands and routes are read for. */
  main: PhpFramework | null;
  /** The front controller (public/index.php …) when committed. */
  frontController: string | null;
}

/** composer package → framework id and document root; the first match wins, so Lumen is seen before plain Laravel parts. */
const PACKAGES: [string, PhpFrameworkId, string][] = [
  ['laravel/lumen-framework', 'lumen', 'public'], ['laravel/framework', 'laravel', 'public'], ['symfony/framework-bundle', 'symfony', 'public'],
  ['slim/slim', 'slim', 'public'], ['laminas/laminas-mvc', 'laminas', 'public'], ['cakephp/cakephp', 'cakephp', 'webroot'], ['yiisoft/yii2', 'yii2', 'web'],
];

async function load(ctx: DetectContext): Promise<PhpProject> {
  const [c, sources] = await Promise.all([composer(ctx), phpSources(ctx)]);
  const frameworks: PhpFramework[] = [];
  const artisan = inApp(ctx.appDir, 'artisan');
  const console = inApp(ctx.appDir, 'bin/console');
  for (const [pkg, id, documentRoot] of PACKAGES) {
    const d = dep(c, pkg);
    if (!d) continue;
    const evidence: Evidence[] = [d.evidence];
    let confidence: Confidence = 'high';
    if (id === 'laravel' || id === 'lumen') {
      if (ctx.repo.has(artisan)) evidence.push({ file: artisan, line: null });
      else if (id === 'laravel') confidence = 'medium';
    }
    if (id === 'symfony' && ctx.repo.has(console)) evidence.push({ file: console, line: null });
    frameworks.push({ id, evidence, confidence, documentRoot });
  }
  // artisan without the framework in composer.json (an unparsable manifest, a trimmed checkout): still Laravel.
  if (frameworks.length === 0 && ctx.repo.has(artisan)) frameworks.push({ id: 'laravel', evidence: [{ file: artisan, line: null }], confidence: 'medium', documentRoot: 'public' });
  const main = frameworks[0] ?? null;
  const fc = inApp(ctx.appDir, `${main?.documentRoot ?? 'public'}/index.php`);
  return { composer: c, sources, frameworks, main, frontController: ctx.repo.has(fc) ? fc : null };
}

const cache = new WeakMap<object, Map<string, Promise<PhpProject>>>();

/** Everything the PHP detectors share; computed once per repo and app dir. */
export function phpProject(ctx: DetectContext): Promise<PhpProject> {
  let perRepo = cache.get(ctx.repo);
  if (!perRepo) { perRepo = new Map(); cache.set(ctx.repo, perRepo); }
  let p = perRepo.get(ctx.appDir);
  if (!p) { p = load(ctx); perRepo.set(ctx.appDir, p); }
  return p;
}
