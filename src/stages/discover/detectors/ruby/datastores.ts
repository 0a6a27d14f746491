// Datastores a Ruby app uses: driver gems, ActiveRecord adapters in config/database.yml, Active Storage S3, SMTP mail delivery and URL schemes in code (scheme only).
import { datastoresFromTable, datastoreSink, type DatastoreRow } from '../../datastore-table.js';
import type { Datastore, Detector } from '../../types.js';
import { databaseSections, isRubyApp, rubyApp, safeCite, scrubUrls } from './common.js';

const NAME = 'ruby-datastore';

const GEMS: DatastoreRow[] = [
  ['pg', 'postgresql', 'high'], ['activerecord-postgis-adapter', 'postgresql', 'high'], ['sequel_pg', 'postgresql', 'high'],
  ['mysql2', 'mysql', 'high'], ['trilogy', 'mysql', 'high'], ['activerecord-trilogy-adapter', 'mysql', 'high'],
  ['sqlite3', 'sqlite', 'high'],
  ['mongoid', 'mongodb', 'high'], ['mongo', 'mongodb', 'high'],
  ['redis', 'redis', 'high'], ['redis-client', 'redis', 'high'], ['hiredis', 'redis', 'high'], ['hiredis-client', 'redis', 'high'],
  // Job queues and caches that only run on Redis.
  ['sidekiq', 'redis', 'high'], ['resque', 'redis', 'high'], ['redis-rails', 'redis', 'high'], ['kredis', 'redis', 'high'],
  ['bunny', 'rabbitmq', 'high'], ['sneakers', 'rabbitmq', 'high'], ['march_hare', 'rabbitmq', 'high'],
  ['ruby-kafka', 'kafka', 'high'], ['rdkafka', 'kafka', 'high'], ['karafka', 'kafka', 'high'], ['waterdrop', 'kafka', 'high'],
  ['elasticsearch', 'elasticsearch', 'high'], ['searchkick', 'elasticsearch', 'medium'], ['elasticsearch-model', 'elasticsearch', 'high'], ['opensearch-ruby', 'elasticsearch', 'medium'],
  ['aws-sdk-s3', 's3', 'medium'],
];

const ADAPTERS: [RegExp, Datastore][] = [
  [/^(?:postgresql|postgis)$/, 'postgresql'], [/^(?:mysql2|trilogy)$/, 'mysql'], [/^sqlite3$/, 'sqlite'],
];

const SCHEMES: [RegExp, Datastore][] = [
  [/^postgres(?:ql)?$/, 'postgresql'], [/^(?:mysql2?|trilogy)$/, 'mysql'], [/^mongodb(?:\+srv)?$/, 'mongodb'], [/^rediss?$/, 'redis'], [/^amqps?$/, 'rabbitmq'],
];

export const rubyDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    const sink = datastoreSink(NAME);
    const push = sink.push;
    datastoresFromTable(GEMS, (name) => a.gem(name)?.evidence, sink);
    for (const s of a.sources) {
      if (s.kind === 'yaml' && /^config\/database\.ya?ml$/.test(s.rel)) {
        // Adapters of the sections a deployment uses: development/test databases are not.
        for (const sec of databaseSections(s.code)) {
          if (sec.name === 'development' || sec.name === 'test' || sec.index === null) continue;
          const hit = ADAPTERS.find(([re]) => re.test(sec.adapter ?? ''));
          // A server database must be reachable before the app starts; a SQLite file is created on demand.
          if (hit) push(hit[1], hit[1] !== 'sqlite', safeCite(s.path, s.text, sec.index), 'code', 'high');
        }
      }
      if (s.kind === 'yaml' && /^config\/storage\.ya?ml$/.test(s.rel)) {
        for (const m of s.code.matchAll(/^[ \t]+service\s*:\s*["']?S3\b/gm)) push('s3', null, safeCite(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length)), 'code', 'medium');
      }
      if (s.kind === 'ruby' && s.rel === 'config/environments/production.rb') {
        for (const m of s.code.matchAll(/^\s*config\.action_mailer\.delivery_method\s*=\s*:smtp\b/gm)) push('smtp', null, safeCite(s.path, s.text, m.index + (m[0].length - m[0].trimStart().length)), 'code', 'medium');
      }
      if (s.kind === 'ruby') {
        for (const m of s.code.matchAll(/["']([a-z][a-z0-9+]*):\/\/[^"'\s]*["']/g)) {
          const hit = SCHEMES.find(([re]) => re.test(m[1] ?? ''));
          if (!hit) continue;
          // Connection URLs hold hosts and credentials: the evidence keeps the scheme only.
          const line = s.text.slice(s.text.lastIndexOf('\n', m.index - 1) + 1, s.text.indexOf('\n', m.index) < 0 ? undefined : s.text.indexOf('\n', m.index));
          const names = [...line.matchAll(/\bENV(?:\.fetch\(|\[)\s*["'](\w+)["']/g)].map((n) => n[1] ?? '');
          const e = safeCite(s.path, s.text, m.index, names);
          push(hit[1], null, { ...e, text: scrubUrls(e.text ?? '') }, 'code', 'medium');
        }
      }
    }
    return sink.out;
  },
};
