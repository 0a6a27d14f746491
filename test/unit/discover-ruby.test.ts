// Ruby discovery detectors: fixtures read through buildRepoIndex, edge cases through memoryRepo, and the resolved brief of each fixture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { blankRubyComments, parseGemfile } from '../../src/stages/discover/detectors/ruby/common.js';
import { detectors } from '../../src/stages/discover/detectors/ruby/index.js';
import { normalizeRubyRequirement } from '../../src/stages/discover/detectors/ruby/runtime.js';
import { discover } from '../../src/stages/discover/index.js';
import type { Evidence } from '../../src/stages/discover/types.js';
import { memoryRepo } from '../helpers/memory-repo.js';
import { cmds, detectorRunner, envMap, FIXTURES, of } from '../helpers/signals.js';

const { run, fixture } = detectorRunner(detectors);
const at = (e: Evidence | undefined): [string | undefined, number | null | undefined] => [e?.file, e?.line];

describe('ruby detectors: rails fixture', () => {
  it('ecosystem, bundler with its locked version, deployment install, runtime from .ruby-version and the lockfile', async () => {
    const s = await fixture('ruby-rails');
    assert.deepEqual(of(s, 'ecosystem').map((e) => [e.value, ...at(e.evidence[0])]), [['ruby', 'Gemfile', null]]);
    assert.deepEqual(of(s, 'language').map((e) => e.value), ['ruby']);
    const pm = of(s, 'package-manager');
    assert.deepEqual(pm.map((p) => [p.value, p.version, p.confidence]), [['bundler', '2.5.6', 'high']]);
    assert.deepEqual(at(pm[0]?.evidence[0]), ['Gemfile.lock', 51]);
    assert.equal(pm[0]?.evidence[0]?.text, '2.5.6');
    const install = cmds(s, 'install');
    assert.deepEqual(install.map((c) => [c.command, c.production, c.source]), [['BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test bundle install', true, 'build-file']]);
    const rt = of(s, 'runtime');
    assert.deepEqual(rt.map((r) => [r.runtime, r.range, ...at(r.evidence[0]), r.confidence]), [
      ['ruby', '3.3.0', '.ruby-version', 1, 'high'],
      ['ruby', '3.3.0', 'Gemfile.lock', 48, 'medium'],
    ]);
    // `ruby file: ".ruby-version"` points at the version file: cited with it.
    assert.deepEqual(rt[0]?.evidence[1], { file: 'Gemfile', line: 3, text: 'ruby file: ".ruby-version"' });
  });

  it('rails from the Gemfile and config/application.rb, puma as the server; dev/test gems are not frameworks', async () => {
    const s = await fixture('ruby-rails');
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.detail, f.confidence]), [
      ['rails', { version: '7.1.3.2' }, 'high'],
      ['puma', { role: 'server', version: '6.4.2' }, 'medium'],
    ]);
    assert.deepEqual(fw[0]?.evidence.map(at), [['Gemfile', 5], ['config/application.rb', 8]]);
    assert.equal(fw[0]?.evidence[1]?.text, 'class Application < Rails::Application');
  });

  it('puma config start, rails dev server, asset precompile, rspec and migrations', async () => {
    const s = await fixture('ruby-rails');
    const start = cmds(s, 'start');
    assert.deepEqual(start.map((c) => [c.command, c.production, c.source, c.confidence]), [['RAILS_ENV=production bundle exec puma -C config/puma.rb', true, 'build-file', 'high']]);
    assert.deepEqual(at(start[0]?.evidence[0]), ['config/puma.rb', null]);
    assert.deepEqual(cmds(s, 'dev').map((c) => [c.command, c.production]), [['bundle exec rails server', false]]);
    const build = cmds(s, 'build');
    assert.deepEqual(build.map((c) => [c.command, c.production]), [['RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile', true]]);
    assert.deepEqual(at(build[0]?.evidence[0]), ['app/assets/stylesheets/application.css', null]);
    assert.deepEqual(cmds(s, 'test').map((c) => [c.command, c.production, ...at(c.evidence[0])]), [['bundle exec rspec', false, 'spec/requests/health_spec.rb', null]]);
    assert.deepEqual(cmds(s, 'migrate').map((c) => [c.command, ...at(c.evidence[0])]), [['RAILS_ENV=production bundle exec rails db:migrate', 'db/migrate/20240301120000_create_payments.rb', null]]);
  });

  it('port from config/puma.rb, /up health route, no commented route', async () => {
    const s = await fixture('ruby-rails');
    const ports = of(s, 'port');
    assert.deepEqual(ports.map((p) => [p.port, p.source, p.confidence, ...at(p.evidence[0])]), [[3000, 'code', 'medium', 'config/puma.rb', 12]]);
    assert.equal(ports[0]?.evidence[0]?.text, 'port ENV.fetch("PORT") { 3000 }');
    const h = of(s, 'health');
    assert.deepEqual(h.map((x) => [x.path, ...at(x.evidence[0])]), [['/up', 'config/routes.rb', 6]]);
    assert.equal(h[0]?.evidence[0]?.text, 'get "up" => "rails/health#show", as: :rails_health_check');
  });

  it('env names from code and ERB config, the master key; spec/, development sections and comments skipped', async () => {
    const s = await fixture('ruby-rails');
    assert.deepEqual(envMap(s), {
      DATABASE_URL: true, STRIPE_API_KEY: true, RAILS_MASTER_KEY: true, SECRET_KEY_BASE: false,
      RAILS_MAX_THREADS: false, RAILS_MIN_THREADS: false, RAILS_ENV: false, WEB_CONCURRENCY: false, PORT: false,
      RAILS_LOG_LEVEL: false, REDIS_URL: false,
    });
    const env = new Map(of(s, 'env').map((e) => [e.name, e]));
    assert.deepEqual(at(env.get('DATABASE_URL')?.evidence[0]), ['config/database.yml', 19]);
    assert.deepEqual(at(env.get('STRIPE_API_KEY')?.evidence[0]), ['app/controllers/payments_controller.rb', 7]);
    assert.deepEqual([env.get('RAILS_MASTER_KEY')?.source, ...at(env.get('RAILS_MASTER_KEY')?.evidence[0])], ['build-file', 'config/credentials.yml.enc', null]);
    // Defaults are values: masked in evidence, names kept.
    assert.equal(env.get('REDIS_URL')?.evidence[0]?.text, 'redis = { url: ENV.fetch("REDIS_URL", "***") }');
    assert.equal(env.get('RAILS_LOG_LEVEL')?.evidence[0]?.text, 'config.log_level = ENV.fetch("RAILS_LOG_LEVEL", "***")');
    const all = JSON.stringify(s);
    for (const leak of ['SPEC_ONLY_TOKEN', 'DEV_DB_HOST', 'localhost:6379', 'CANARY-ENCRYPTED']) assert.ok(!all.includes(leak), leak);
  });

  it('postgresql from pg and the production adapter, redis from sidekiq; worker and force_ssl risks', async () => {
    const s = await fixture('ruby-rails');
    const ds = of(s, 'datastore');
    assert.deepEqual(ds.map((d) => [d.value, d.required, d.source, ...at(d.evidence[0])]), [
      ['postgresql', null, 'build-file', 'Gemfile', 7],
      ['redis', null, 'build-file', 'Gemfile', 9],
      ['postgresql', true, 'code', 'config/database.yml', 3],
      ['redis', null, 'code', 'config/initializers/sidekiq.rb', 2],
    ]);
    assert.equal(ds[3]?.evidence[0]?.text, 'redis = { url: ENV.fetch("REDIS_URL", "***") }');
    const risks = of(s, 'risk');
    assert.deepEqual(risks.map((r) => [r.severity, ...at(r.evidence[0])]), [['warning', 'Gemfile', 9], ['warning', 'config/environments/production.rb', 8]]);
    assert.match(risks[0]?.message ?? '', /background jobs need a second process \(bundle exec sidekiq\)/);
    assert.match(risks[1]?.message ?? '', /config\.force_ssl = true/);
  });
});

describe('ruby detectors: sinatra fixture', () => {
  it('bundler without a lockfile, runtime from .tool-versions and the Gemfile range, sinatra + puma', async () => {
    const s = await fixture('ruby-sinatra');
    assert.deepEqual(of(s, 'package-manager').map((p) => [p.value, p.version, p.confidence]), [['bundler', undefined, 'medium']]);
    assert.deepEqual(cmds(s, 'install').map((c) => [c.command, c.confidence]), [['BUNDLE_WITHOUT=development:test bundle install', 'medium']]);
    assert.deepEqual(of(s, 'runtime').map((r) => [r.range, ...at(r.evidence[0])]), [['3.3.1', '.tool-versions', 2], ['^3.2', 'Gemfile', 3]]);
    const fw = of(s, 'framework');
    assert.deepEqual(fw.map((f) => [f.value, f.confidence]), [['sinatra', 'high'], ['puma', 'medium']]);
    assert.deepEqual(fw[0]?.evidence.map(at), [['Gemfile', 5], ['app.rb', 1]]);
  });

  it('puma on config.ru with $PORT, port from set :port, /health route, rspec from the test group', async () => {
    const s = await fixture('ruby-sinatra');
    assert.deepEqual(cmds(s, 'start').map((c) => [c.command, c.production, c.source]), [['bundle exec puma -e production -p $PORT', true, 'fallback']]);
    assert.deepEqual(cmds(s, 'start')[0]?.evidence.map(at), [['config.ru', null], ['Gemfile', 6]]);
    assert.deepEqual(cmds(s, 'dev'), []);
    assert.deepEqual(cmds(s, 'test').map((c) => c.command), ['bundle exec rspec']);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence, ...at(p.evidence[0])]), [[4567, 'code', 'medium', 'app.rb', 7]]);
    assert.deepEqual(of(s, 'health').map((h) => [h.path, ...at(h.evidence[0]), h.evidence[0]?.text]), [['/health', 'app.rb', 15, "get '/health' do"]]);
  });

  it('env: fetch without default required, ENV[] unknown, defaults optional, comments ignored; redis, no URL leak', async () => {
    const s = await fixture('ruby-sinatra');
    assert.deepEqual(envMap(s), { PORT: false, API_TOKEN: null, REDIS_URL: false, SESSION_SECRET: true, LOG_LEVEL: false });
    assert.deepEqual(at(of(s, 'env').find((e) => e.name === 'SESSION_SECRET')?.evidence[0]), ['lib/settings.rb', 3]);
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.source, ...at(d.evidence[0])]), [['redis', 'build-file', 'Gemfile', 7], ['redis', 'code', 'app.rb', 9]]);
    assert.equal(of(s, 'risk').length, 0);
    const all = JSON.stringify(s);
    assert.ok(!all.includes('hunter2') && !all.includes('COMMENTED_OUT') && !all.includes('"info"'));
  });
});

describe('ruby detectors: edge cases', () => {
  it('not a ruby app → no signals', async () => {
    assert.deepEqual(await run(memoryRepo({ 'package.json': '{}', 'scripts/x.rb': 'ENV.fetch("X")\n' })), []);
  });

  it('Gemfile requirements normalize to semver-ish ranges', () => {
    assert.equal(normalizeRubyRequirement('3.3.0'), '3.3.0');
    assert.equal(normalizeRubyRequirement('~> 3.2'), '^3.2');
    assert.equal(normalizeRubyRequirement('~> 3.2.1'), '~3.2.1');
    assert.equal(normalizeRubyRequirement('>= 3.1, < 3.4'), '>=3.1 <3.4');
    assert.equal(normalizeRubyRequirement('3.3.0.preview1'), '3.3.0');
    assert.equal(normalizeRubyRequirement('jruby'), null);
  });

  it('Gemfile groups: block, inline and nested blocks; comments and strings with # are not confused', () => {
    const g = parseGemfile('Gemfile', [
      'source "https://rubygems.org"', 'gem "rails" # the framework', 'gem "sqlite3", group: :development', 'gem "mongoid", groups: [:production]',
      'if ENV["EXTRA"]', '  gem "extra"', 'end', 'group :test do', '  platforms :mri do', '    gem "rspec"', '  end', 'end', 'gem "bunny"',
      '# gem "commented"', 'gem "a#b"',
    ].join('\n'));
    assert.deepEqual([...g.gems.values()].map((x) => [x.name, x.dev, x.evidence.line]), [
      ['rails', false, 2], ['sqlite3', true, 3], ['mongoid', false, 4], ['extra', false, 6], ['rspec', true, 10], ['bunny', false, 13], ['a#b', false, 15],
    ]);
    const src = 'x = "a#{b}#c" # ENV["C"]\n=begin\nENV["D"]\n=end\ny = 1';
    const blanked = blankRubyComments(src);
    assert.equal(blanked.length, src.length, 'offsets are kept');
    assert.equal(blanked.replace(/[ ]+$/gm, ''), 'x = "a#{b}#c"\n\n\n\ny = 1');
  });

  it('rails without puma.rb or credentials: rails server, default port 3000, SECRET_KEY_BASE required; bin/dev, minitest, api-only', async () => {
    const s = await run(memoryRepo({
      Gemfile: 'source "https://rubygems.org"\ngem "rails", "~> 7.0.8"\ngem "sqlite3", group: [:development, :test]\n',
      'config/application.rb': 'module Api\n  class Application < Rails::Application\n    config.api_only = true\n  end\nend\n',
      'config/environments/development.rb': 'config.x = ENV.fetch("DEV_ONLY")\n',
      'config/environments/production.rb': 'Rails.application.configure do\n  config.action_mailer.delivery_method = :smtp\nend\n',
      'config/storage.yml': 'amazon:\n  service: S3\n  bucket: <%= ENV.fetch("S3_BUCKET") %>\n',
      'app/javascript/application.js': 'console.log(1)\n',
      'bin/dev': '#!/usr/bin/env sh\nexec foreman start -f Procfile.dev\n',
      'bin/rails': '#!/usr/bin/env ruby\n',
      'test/models/user_test.rb': 'ENV.fetch("TEST_ONLY")\n',
    }));
    assert.deepEqual(of(s, 'framework').map((f) => [f.value, f.detail]), [['rails', { apiOnly: 'true' }]]);
    assert.deepEqual(cmds(s, 'start').map((c) => [c.command, c.source]), [['bundle exec rails server -e production', 'fallback']]);
    assert.deepEqual(cmds(s, 'dev').map((c) => [c.command, c.production]), [['bin/dev', false]]);
    assert.deepEqual(cmds(s, 'build'), [], 'an API-only app precompiles no assets');
    assert.deepEqual(cmds(s, 'test').map((c) => c.command), ['bin/rails test']);
    assert.deepEqual(cmds(s, 'migrate'), []);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, p.confidence, ...at(p.evidence[0])]), [[3000, 'fallback', 'low', 'config/application.rb', 2]]);
    assert.deepEqual(envMap(s), { S3_BUCKET: true, SECRET_KEY_BASE: true });
    assert.equal(of(s, 'env').find((e) => e.name === 'SECRET_KEY_BASE')?.source, 'fallback');
    assert.deepEqual(of(s, 'datastore').map((d) => d.value), ['s3', 'smtp'], 'sqlite3 is a dev/test gem only');
    assert.equal(cmds(s, 'install')[0]?.command, 'BUNDLE_WITHOUT=development:test bundle install');
  });

  it('a committed master key, require_master_key, SQLite production through the default anchor, pre-7.1 precompile', async () => {
    const s = await run(memoryRepo({
      Gemfile: 'gem "rails"\ngem "sqlite3"\n',
      'Gemfile.lock': 'GEM\n  specs:\n    rails (7.0.8)\n    sqlite3 (1.7.0)\n\nBUNDLED WITH\n   2.4.22\n',
      'config/application.rb': 'class Application < Rails::Application\nend\n',
      'config/master.key': 'not-read-canary-0000\n',
      'config/environments/production.rb': '  config.require_master_key = true\n',
      'config/database.yml': 'default: &default\n  adapter: sqlite3\n\nproduction:\n  <<: *default\n  database: storage/production.sqlite3\n',
      'app/assets/config/manifest.js': '//= link_tree ../images\n',
    }));
    assert.deepEqual(of(s, 'env').map((e) => [e.name, e.required, e.evidence.map(at)]), [
      ['RAILS_MASTER_KEY', true, [['config/environments/production.rb', 1]]],
      ['SECRET_KEY_BASE', false, [['config/environments/production.rb', 1]]],
    ]);
    const risks = of(s, 'risk').map((r) => [r.message, ...at(r.evidence[0])]);
    assert.equal(risks.length, 2);
    assert.match(String(risks[0]?.[0]), /^config\/master\.key is committed/);
    assert.deepEqual(risks[0]?.slice(1), ['config/master.key', null]);
    assert.match(String(risks[1]?.[0]), /production database is SQLite/);
    assert.deepEqual(risks[1]?.slice(1), ['config/database.yml', 2]);
    assert.deepEqual(of(s, 'datastore').map((d) => [d.value, d.required]), [['sqlite', null], ['sqlite', false]]);
    assert.deepEqual(cmds(s, 'build').map((c) => c.command), ['RAILS_ENV=production bundle exec rails assets:precompile']);
    assert.ok(!JSON.stringify(s).includes('not-read-canary'));
  });

  it('classic sinatra without config.ru: dev only with a risk, default port 4567', async () => {
    const s = await run(memoryRepo({ Gemfile: 'gem "sinatra"\n', 'server.rb': 'require "sinatra"\n\nget "/ping" do\n  "pong"\nend\n' }));
    assert.deepEqual(cmds(s, 'start'), []);
    assert.deepEqual(cmds(s, 'dev').map((c) => [c.command, c.production, ...at(c.evidence[0])]), [['bundle exec ruby server.rb', false, 'server.rb', 1]]);
    const risk = of(s, 'risk');
    assert.equal(risk.length, 1);
    assert.match(risk[0]?.message ?? '', /only a dev server.*add a config\.ru/);
    assert.deepEqual(of(s, 'port').map((p) => [p.port, p.source, ...at(p.evidence[0])]), [[4567, 'fallback', 'Gemfile', 1]]);
    assert.deepEqual(of(s, 'health').map((h) => h.path), ['/ping']);
  });

  it('rack apps: rackup without puma, puma.rb with RACK_ENV, hanami migrations, roda/grape/mount health routes, client calls ignored', async () => {
    const roda = await run(memoryRepo({
      Gemfile: 'gem "roda"\ngem "mongoid"\ngem "bunny"\n',
      'config.ru': 'require_relative "app"\nrun App.freeze.app\n',
      'app.rb': [
        'require "roda"', 'class App < Roda', '  route do |r|', '    r.get "livez" do', '      "ok"', '    end', '    r.on "api" do', '      Faraday.get("/status")', '    end', '  end', 'end',
        'URL = "mongodb+srv://user:s3cret@cluster0/app"',
      ].join('\n'),
    }));
    assert.deepEqual(of(roda, 'framework').map((f) => [f.value, f.confidence]), [['roda', 'high']]);
    assert.deepEqual(cmds(roda, 'start').map((c) => c.command), ['bundle exec rackup -E production -o 0.0.0.0 -p $PORT']);
    assert.deepEqual(of(roda, 'port').map((p) => [p.port, p.source, ...at(p.evidence[0])]), [[9292, 'fallback', 'config.ru', null]]);
    assert.deepEqual(of(roda, 'health').map((h) => [h.path, ...at(h.evidence[0])]), [['/livez', 'app.rb', 4]]);
    assert.deepEqual(of(roda, 'datastore').map((d) => d.value), ['mongodb', 'rabbitmq', 'mongodb']);
    assert.ok(!JSON.stringify(roda).includes('s3cret') && !JSON.stringify(roda).includes('cluster0'));

    const hanami = await run(memoryRepo({
      Gemfile: 'gem "hanami", "~> 2.1"\ngem "puma"\ngem "grape"\n',
      'config.ru': 'require "hanami/boot"\nrun Hanami.app\n',
      'config/puma.rb': 'bind "tcp://0.0.0.0:2300"\n',
      'config/db/migrate/20240101_create_books.rb': 'ROM::SQL.migration do\nend\n',
      'config/routes.rb': 'module Bookshelf\n  class Routes < Hanami::Routes\n    get "/healthz", to: "health.show"\n    mount HealthMonitor::Engine, at: "/status"\n  end\nend\n',
      'lib/api.rb': 'class API < Grape::API\n  get :health do\n  end\nend\n',
    }));
    assert.deepEqual(of(hanami, 'framework').map((f) => f.value), ['hanami', 'grape', 'puma']);
    assert.deepEqual(cmds(hanami, 'start').map((c) => [c.command, c.source]), [['RACK_ENV=production bundle exec puma -C config/puma.rb', 'build-file']]);
    assert.deepEqual(cmds(hanami, 'migrate').map((c) => c.command), ['HANAMI_ENV=production bundle exec hanami db migrate']);
    assert.deepEqual(of(hanami, 'port').map((p) => [p.port, p.confidence, ...at(p.evidence[0]), p.evidence[0]?.text]), [[2300, 'high', 'config/puma.rb', 1, 'bind "tcp://0.0.0.0:2300"']]);
    assert.deepEqual(of(hanami, 'health').map((h) => [h.path, h.evidence[0]?.line]), [['/healthz', 3], ['/status', 4]]);
  });

  it('env forms: unknown, optional, required, assignments, comments and =begin blocks; a monorepo app dir', async () => {
    const s = await run(memoryRepo({
      'api/Gemfile': 'gem "sinatra"\n',
      'api/config.ru': 'run Sinatra::Application\n',
      'api/app.rb': [
        'require "sinatra"', 'A = ENV["UNKNOWN_A"]', 'B = ENV["OPT_B"] || "x"', 'C = ENV["OPT_C"].presence || 1', 'D = ENV.fetch("REQ_D")',
        'E = ENV.fetch("OPT_E", nil)', 'F = ENV.fetch("OPT_F") do', '  "f"', 'end', 'G = ENV.key?("OPT_G")', 'ENV["SET_H"] = "1"',
        'x = "#{ENV.fetch("REQ_INTERP")}" # ENV.fetch("COMMENT_I")', '=begin', 'ENV.fetch("BLOCK_J")', '=end', 'K = ENV["TOKEN_K"] == "yes"',
      ].join('\n'),
      'Gemfile': 'gem "rails"\n',
      'lib/root.rb': 'ENV.fetch("ROOT_ONLY")\n',
    }), 'api');
    assert.deepEqual(envMap(s), {
      UNKNOWN_A: null, OPT_B: false, OPT_C: false, REQ_D: true, OPT_E: false, OPT_F: false, OPT_G: false, REQ_INTERP: true, TOKEN_K: false,
    });
    assert.deepEqual(at(of(s, 'env').find((e) => e.name === 'REQ_D')?.evidence[0]), ['api/app.rb', 5]);
    assert.equal(of(s, 'env').find((e) => e.name === 'TOKEN_K')?.evidence[0]?.text, 'K = ENV["TOKEN_K"] == "***"');
    assert.deepEqual(of(s, 'ecosystem').map((e) => e.evidence[0]?.file), ['api/Gemfile']);
    assert.equal(of(s, 'framework').some((f) => f.value === 'rails'), false, 'the root Gemfile belongs to another app');
  });
});

describe('ruby discovery: the resolved brief', () => {
  const ctx = () => ({ executor: new RecordingExecutor(), redactor: new Redactor(), now: () => new Date('2026-01-02T03:04:05.000Z') });

  it('rails fixture', async () => {
    const b = await discover(ctx(), `${FIXTURES}ruby-rails`);
    const d = b.data;
    assert.equal(b.status, 'ok');
    assert.deepEqual(d.apps.map((a) => [a.dir, a.ecosystem]), [['', 'ruby']]);
    assert.equal(d.stack.ecosystem?.value, 'ruby');
    assert.equal(d.stack.language?.value, 'ruby');
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['rails', 'puma']);
    assert.deepEqual([d.stack.runtime?.value, d.stack.runtime?.source, at(d.stack.runtime?.evidence[0])], [{ runtime: 'ruby', range: '3.3.0' }, 'build-file', ['.ruby-version', 1]]);
    assert.deepEqual(d.runtimes, [{ name: 'ruby', range: '3.3.0' }]);
    assert.equal(d.stack.packageManager?.value, 'bundler@2.5.6');
    assert.equal(d.commands.install?.value.command, 'BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test bundle install');
    assert.equal(d.commands.build?.value.command, 'RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile');
    assert.deepEqual(d.commands.start?.value, { command: 'RAILS_ENV=production bundle exec puma -C config/puma.rb', production: true });
    assert.equal(d.commands.migrate?.value.command, 'RAILS_ENV=production bundle exec rails db:migrate');
    assert.deepEqual([d.port?.value, d.port?.source, at(d.port?.evidence[0])], [3000, 'code', ['config/puma.rb', 12]]);
    assert.deepEqual(d.ports, [3000]);
    assert.deepEqual(d.health.map((h) => h.value), ['/up']);
    assert.deepEqual(d.envVars.filter((e) => e.required === true).map((e) => [e.name, e.secret]), [['DATABASE_URL', true], ['RAILS_MASTER_KEY', true], ['STRIPE_API_KEY', true]]);
    assert.deepEqual(d.envVars.filter((e) => e.required !== true).map((e) => e.name), [
      'PORT', 'RAILS_ENV', 'RAILS_LOG_LEVEL', 'RAILS_MAX_THREADS', 'RAILS_MIN_THREADS', 'REDIS_URL', 'SECRET_KEY_BASE', 'WEB_CONCURRENCY',
    ]);
    assert.deepEqual(d.datastores.map((x) => [x.kind, x.required]), [['postgresql', true], ['redis', null]]);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.conflicts, []);
    const risks = d.risks.map((r) => r.message);
    assert.ok(risks.some((m) => /bundle exec sidekiq/.test(m)));
    assert.ok(risks.some((m) => /force_ssl/.test(m)));
    assert.ok(risks.some((m) => /run `RAILS_ENV=production bundle exec rails db:migrate` before/.test(m)));
    assert.ok(!risks.some((m) => /port unknown|production start command/.test(m)), risks.join('\n'));
  });

  it('rails fixture: the app evidence cites the Gemfile line declaring rails', async () => {
    const b = await discover(ctx(), `${FIXTURES}ruby-rails`);
    assert.deepEqual(b.data.apps[0]?.evidence, [{ file: 'Gemfile', line: 5 }]);
  });

  it('sinatra fixture', async () => {
    const b = await discover(ctx(), `${FIXTURES}ruby-sinatra`);
    const d = b.data;
    assert.equal(b.status, 'ok');
    assert.equal(d.stack.ecosystem?.value, 'ruby');
    assert.equal(d.stack.language?.value, 'ruby');
    assert.deepEqual(d.stack.frameworks.map((f) => f.value.name), ['sinatra', 'puma']);
    assert.deepEqual([d.stack.runtime?.value.range, at(d.stack.runtime?.evidence[0])], ['3.3.1', ['.tool-versions', 2]]);
    assert.equal(d.stack.packageManager?.value, 'bundler');
    assert.equal(d.commands.install?.value.command, 'BUNDLE_WITHOUT=development:test bundle install');
    assert.equal(d.commands.build, null);
    assert.deepEqual(d.commands.start?.value, { command: 'bundle exec puma -e production -p $PORT', production: true });
    assert.deepEqual([d.port?.value, d.port?.source, at(d.port?.evidence[0])], [4567, 'code', ['app.rb', 7]]);
    assert.deepEqual(d.health.map((h) => h.value), ['/health']);
    assert.deepEqual(d.env, [{ name: 'SESSION_SECRET', required: true, secret: true }]);
    assert.deepEqual(d.envVars.map((e) => [e.name, e.required]), [['SESSION_SECRET', true], ['API_TOKEN', null], ['LOG_LEVEL', false], ['PORT', false], ['REDIS_URL', false]]);
    assert.deepEqual(d.datastores.map((x) => x.kind), ['redis']);
    assert.equal(d.strategy, 'systemd');
    assert.deepEqual(d.risks.map((r) => r.message), ['required variable SESSION_SECRET has no example and no default (looks like a secret)']);
  });

  it('sinatra fixture: the app evidence cites the Gemfile line declaring sinatra', async () => {
    const b = await discover(ctx(), `${FIXTURES}ruby-sinatra`);
    assert.deepEqual(b.data.apps[0]?.evidence, [{ file: 'Gemfile', line: 5 }]);
  });
});
