// Ruby commands: start (the repo's puma config first, else rails server, puma or rackup), dev, asset build, tests and migrations; dev-only and worker risks.
import type { CommandRole, Confidence, DetectContext, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { cite, inApp, isRubyApp, rubyApp, type RubyApp } from './common.js';

const NAME = 'ruby-commands';

function cmd(role: CommandRole, command: string, production: boolean, evidence: Evidence[], source: SourceClass, confidence: Confidence): Signal {
  return { kind: 'command', role, command, production, evidence, source, confidence, detector: NAME };
}

/** The first file under an app folder (evidence that the folder exists and holds something), or null. */
function firstUnder(ctx: DetectContext, rel: string): string | null {
  const files = ctx.repo.under(inApp(ctx.appDir, rel)).map((f) => f.path).sort();
  return files[0] ?? null;
}

/** Rails ≥ 7.1 precompiles assets with a dummy secret, so the build needs neither the master key nor SECRET_KEY_BASE. */
function dummySecret(version: string | null): boolean {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  return m !== null && (Number(m[1]) > 7 || (Number(m[1]) === 7 && Number(m[2]) >= 1));
}


/** A classic Sinatra file run directly (`ruby app.rb`): the file that requires sinatra at the top level of the app. */
function classicEntry(a: RubyApp): { rel: string; evidence: Evidence } | null {
  for (const s of a.sources) {
    if (s.kind !== 'ruby' || s.rel.includes('/')) continue;
    const m = /^\s*require\s+["']sinatra["']/m.exec(s.code);
    if (m) return { rel: s.rel, evidence: cite(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length)) };
  }
  return null;
}

export const rubyCommandsDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const out: Signal[] = [];
    const has = (rel: string): boolean => ctx.repo.has(inApp(ctx.appDir, rel));
    const pumaRb = has('config/puma.rb') ? inApp(ctx.appDir, 'config/puma.rb') : null;
    const pumaEv: Evidence[] = pumaRb ? [{ file: pumaRb, line: null }] : [];

    if (a.rails) {
      // config/puma.rb is the repo's own server config; the stock one reads RAILS_ENV and defaults to development.
      if (pumaRb) out.push(cmd('start', 'RAILS_ENV=production bundle exec puma -C config/puma.rb', true, pumaEv, 'build-file', 'high'));
      else out.push(cmd('start', 'bundle exec rails server -e production', true, a.rails.evidence, 'fallback', 'medium'));
      if (has('bin/dev')) out.push(cmd('dev', 'bin/dev', false, [{ file: inApp(ctx.appDir, 'bin/dev'), line: null }], 'build-file', 'high'));
      else out.push(cmd('dev', 'bundle exec rails server', false, a.rails.evidence, 'fallback', 'medium'));
      // Rails before 5 has no `rails db:*` / `rails assets:*` tasks: they run through rake. Unknown versions are taken as current.
      const task = a.rails.major !== null && a.rails.major < 5 ? 'rake' : 'rails';
      const assets = firstUnder(ctx, 'app/assets') ?? firstUnder(ctx, 'app/javascript');
      if (assets && !a.rails.apiOnly) {
        const env = `RAILS_ENV=production${dummySecret(a.rails.version) ? ' SECRET_KEY_BASE_DUMMY=1' : ''}`;
        out.push(cmd('build', `${env} bundle exec ${task} assets:precompile`, true, [{ file: assets, line: null }], 'fallback', 'medium'));
      }
      const migration = firstUnder(ctx, 'db/migrate');
      if (migration) out.push(cmd('migrate', `RAILS_ENV=production bundle exec ${task} db:migrate`, true, [{ file: migration, line: null }], 'fallback', 'medium'));
    } else if (a.rackup) {
      const ev: Evidence[] = [{ file: a.rackup, line: null }];
      if (pumaRb) out.push(cmd('start', 'RACK_ENV=production bundle exec puma -C config/puma.rb', true, pumaEv, 'build-file', 'high'));
      // Puma reads config.ru itself; rackup is the generic Rack launcher (its own gem since Rack 3).
      else if (a.gem('puma')) out.push(cmd('start', 'bundle exec puma -e production -p $PORT', true, [...ev, a.gem('puma')?.evidence].filter((e): e is Evidence => e !== undefined), 'fallback', 'medium'));
      else out.push(cmd('start', 'bundle exec rackup -E production -o 0.0.0.0 -p $PORT', true, ev, 'fallback', 'medium'));
      const migration = a.gem('hanami') ? firstUnder(ctx, 'config/db/migrate') : null;
      if (migration) out.push(cmd('migrate', 'HANAMI_ENV=production bundle exec hanami db migrate', true, [{ file: migration, line: null }], 'fallback', 'medium'));
    } else {
      // Sinatra's own `run!` starts a development-style server from the file; there is no Rack entry to hand to puma.
      const entry = a.gem('sinatra') || classicEntry(a) ? classicEntry(a) : null;
      if (entry) {
        const dev = cmd('dev', `bundle exec ruby ${entry.rel}`, false, [entry.evidence], 'code', 'medium');
        out.push(dev);
        out.push({
          kind: 'risk', severity: 'warning',
          message: `only a dev server is in the repo (bundle exec ruby ${entry.rel}); add a config.ru (require_relative "${entry.rel.replace(/\.rb$/, '')}"; run Sinatra::Application) and run it with bundle exec puma -e production`,
          evidence: [entry.evidence], source: 'code', confidence: 'medium', detector: NAME,
        });
      }
    }

    const spec = firstUnder(ctx, 'spec');
    if (spec || a.uses('rspec-rails') || a.uses('rspec')) out.push(cmd('test', 'bundle exec rspec', false, [spec ? { file: spec, line: null } : a.gemfile ? { file: a.gemfile.path, line: null } : { file: inApp(ctx.appDir, 'Gemfile'), line: null }], 'build-file', 'medium'));
    else {
      const test = firstUnder(ctx, 'test');
      if (test && a.rails) out.push(cmd('test', has('bin/rails') ? 'bin/rails test' : 'bundle exec rails test', false, [{ file: test, line: null }], 'build-file', 'medium'));
      else if (test && has('Rakefile')) out.push(cmd('test', 'bundle exec rake test', false, [{ file: test, line: null }], 'build-file', 'low'));
    }

    // Background jobs run in their own process: without it, enqueued work never happens.
    const sidekiq = a.gem('sidekiq');
    if (sidekiq) {
      out.push({
        kind: 'risk', severity: 'warning', message: 'sidekiq is in the Gemfile: background jobs need a second process (bundle exec sidekiq) beside the web server',
        evidence: [sidekiq.evidence], source: 'build-file', confidence: 'medium', detector: NAME,
      });
    }
    return out;
  },
};
