// Datastores a PHP app uses: Laravel drivers and URL schemes in committed env files (scheme only), config/database.php's default, Composer packages.
import { datastoresFromTable, datastoreSink, type DatastoreRow } from '../../datastore-table.js';
import type { Datastore, Detector } from '../../types.js';
import { dep, envFiles, inApp, isPhpApp, safeCite } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-datastore';

const PACKAGES: DatastoreRow[] = [
  ['predis/predis', 'redis', 'high'], ['ext-redis', 'redis', 'high'],
  ['php-amqplib/php-amqplib', 'rabbitmq', 'high'], ['ext-amqp', 'rabbitmq', 'high'], ['symfony/amqp-messenger', 'rabbitmq', 'high'],
  ['mongodb/laravel-mongodb', 'mongodb', 'high'], ['jenssegers/mongodb', 'mongodb', 'high'], ['mongodb/mongodb', 'mongodb', 'high'], ['ext-mongodb', 'mongodb', 'high'],
  ['doctrine/mongodb-odm-bundle', 'mongodb', 'high'],
  ['ext-pdo_pgsql', 'postgresql', 'high'], ['ext-pgsql', 'postgresql', 'high'], ['ext-pdo_mysql', 'mysql', 'high'], ['ext-mysqli', 'mysql', 'high'],
  ['elasticsearch/elasticsearch', 'elasticsearch', 'high'], ['ext-rdkafka', 'kafka', 'high'],
  ['league/flysystem-aws-s3-v3', 's3', 'medium'], ['aws/aws-sdk-php', 's3', 'low'],
];

/** Laravel DB_CONNECTION / database.default driver names. */
const DRIVERS: Record<string, Datastore> = { pgsql: 'postgresql', mysql: 'mysql', mariadb: 'mysql', sqlite: 'sqlite', mongodb: 'mongodb' };

const SCHEMES: [RegExp, Datastore][] = [
  [/^postgres(?:ql)?$|^pgsql$/, 'postgresql'], [/^mysql$|^mariadb$/, 'mysql'], [/^sqlite$/, 'sqlite'], [/^mongodb(?:\+srv)?$/, 'mongodb'],
  [/^rediss?$/, 'redis'], [/^amqps?$/, 'rabbitmq'], [/^smtps?$/, 'smtp'],
];

/** Laravel settings whose value `redis` means the app talks to Redis. */
const REDIS_USERS = new Set(['CACHE_STORE', 'CACHE_DRIVER', 'SESSION_DRIVER', 'QUEUE_CONNECTION', 'BROADCAST_CONNECTION']);

export const phpDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    const sink = datastoreSink(NAME);
    const push = sink.push;
    const doctrine = dep(p.composer, 'doctrine/doctrine-bundle') ?? dep(p.composer, 'doctrine/orm');
    let dbConnection = false;
    for (const f of await envFiles(ctx)) {
      for (const e of f.entries) {
        const v = e.value.trim();
        if (!v) continue;
        if (e.name === 'DB_CONNECTION') {
          const ds = DRIVERS[v.toLowerCase()];
          dbConnection = true;
          if (ds) push(ds, ds !== 'sqlite', { file: f.path, line: e.line, text: `DB_CONNECTION=${v.toLowerCase()}` }, 'docs', 'high');
        } else if (REDIS_USERS.has(e.name) && v.toLowerCase() === 'redis') {
          push('redis', true, { file: f.path, line: e.line, text: `${e.name}=redis` }, 'docs', 'high');
        } else if ((e.name === 'MAIL_MAILER' || e.name === 'MAIL_DRIVER') && v.toLowerCase() === 'smtp') {
          push('smtp', null, { file: f.path, line: e.line, text: `${e.name}=smtp` }, 'docs', 'medium');
        } else {
          // URLs and DSNs: the scheme says what it is; the rest (hosts, credentials) is never read further.
          const scheme = /^([a-z][a-z0-9+]*):\/\//i.exec(v)?.[1]?.toLowerCase();
          const hit = scheme ? SCHEMES.find(([re]) => re.test(scheme)) : undefined;
          if (!scheme || !hit) continue;
          const isDb = /^(?:DATABASE_URL|DB_URL)$/.test(e.name);
          if (isDb) dbConnection = true;
          push(hit[1], isDb && doctrine ? hit[1] !== 'sqlite' : null, { file: f.path, line: e.line, text: `${e.name}=${scheme}://…` }, 'docs', isDb ? 'high' : 'medium');
        }
      }
    }
    // config/database.php's default connection counts only when no env file picks one.
    const dbConfig = p.sources.find((s) => s.path === inApp(ctx.appDir, 'config/database.php'));
    if (dbConfig && !dbConnection) {
      const m = /['"]default['"]\s*=>\s*(?:(?:\\?env|Env::get)\(\s*['"]DB_CONNECTION['"]\s*,\s*)?['"](\w+)['"]/.exec(dbConfig.code);
      const ds = m?.[1] ? DRIVERS[m[1].toLowerCase()] : undefined;
      if (m && ds) push(ds, ds !== 'sqlite', safeCite(dbConfig.path, dbConfig.text, m.index, [m[1] ?? '', 'DB_CONNECTION', 'default']), 'code', 'medium');
    }
    datastoresFromTable(PACKAGES, (pkg) => dep(p.composer, pkg)?.evidence, sink);
    return sink.out;
  },
};
