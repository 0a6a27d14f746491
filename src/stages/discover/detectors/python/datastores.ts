// Datastores a Python app uses: driver dependencies, Django DATABASES engines and connection-URL schemes in code (scheme only).
import { datastoresFromTable, datastoreSink, type DatastoreRow } from '../../datastore-table.js';
import type { Datastore, Detector } from '../../types.js';
import { pythonApps } from './apps.js';
import { codeMatches, isPythonApp, safeCite } from './common.js';

const NAME = 'python-datastore';

const DRIVERS: DatastoreRow[] = [
  ['psycopg', 'postgresql', 'high'], ['psycopg2', 'postgresql', 'high'], ['psycopg2-binary', 'postgresql', 'high'], ['psycopg-binary', 'postgresql', 'high'],
  ['asyncpg', 'postgresql', 'high'], ['pg8000', 'postgresql', 'high'],
  ['mysqlclient', 'mysql', 'high'], ['pymysql', 'mysql', 'high'], ['mysql-connector-python', 'mysql', 'high'], ['aiomysql', 'mysql', 'high'], ['asyncmy', 'mysql', 'high'],
  ['pymongo', 'mongodb', 'high'], ['motor', 'mongodb', 'high'], ['mongoengine', 'mongodb', 'high'], ['beanie', 'mongodb', 'high'],
  ['redis', 'redis', 'high'], ['aioredis', 'redis', 'high'], ['django-redis', 'redis', 'high'],
  ['pika', 'rabbitmq', 'high'], ['aio-pika', 'rabbitmq', 'high'],
  ['kafka-python', 'kafka', 'high'], ['aiokafka', 'kafka', 'high'], ['confluent-kafka', 'kafka', 'high'],
  ['elasticsearch', 'elasticsearch', 'high'], ['elasticsearch-dsl', 'elasticsearch', 'high'], ['opensearch-py', 'elasticsearch', 'medium'],
  ['boto3', 's3', 'low'], ['aioboto3', 's3', 'low'],
];

const ENGINES: [RegExp, Datastore][] = [
  [/postgresql|postgis/, 'postgresql'], [/mysql/, 'mysql'], [/sqlite3/, 'sqlite']
];

const SCHEMES: [RegExp, Datastore][] = [
  [/^postgres(?:ql)?(?:\+\w+)?$/, 'postgresql'], [/^mysql(?:\+\w+)?$/, 'mysql'], [/^sqlite(?:\+\w+)?$/, 'sqlite'], [/^mongodb(?:\+srv)?$/, 'mongodb'],
  [/^rediss?$/, 'redis'], [/^amqps?$/, 'rabbitmq'],
];

export const pythonDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPythonApp(ctx)) return [];
    const a = await pythonApps(ctx);
    const sink = datastoreSink(NAME);
    const push = sink.push;
    datastoresFromTable(DRIVERS, (dep) => { const d = a.deps.get(dep); return d && !d.dev ? d.evidence : undefined; }, sink);
    for (const s of a.sources) {
      for (const m of codeMatches(s.text, /["']ENGINE["']\s*:\s*["']django\.db\.backends\.(\w+)["']/g)) {
        const hit = ENGINES.find(([re]) => re.test(m[1] ?? ''));
        if (hit) push(hit[1], hit[1] === 'sqlite' ? false : true, safeCite(s.path, s.text, m.index, [], true), 'code', 'high');
      }
      for (const m of codeMatches(s.text, /["']([a-z][a-z0-9+]*):\/\/[^"'\s]*["']/g)) {
        const hit = SCHEMES.find(([re]) => re.test(m[1] ?? ''));
        if (hit) push(hit[1], null, safeCite(s.path, s.text, m.index, [], true), 'code', 'medium');
      }
    }
    return sink.out;
  },
};
