// Datastores the app talks to, from driver dependencies (or Deno imports), Bun's built-in clients, the Prisma schema provider and ORM config (type/client/dialect).
import { cite, inApp } from '../../evidence.js';
import type { Confidence, DetectContext, Datastore, Detector, Evidence, Signal } from '../../types.js';
import { depEvidence, inLineComment, sourceFiles, type PackageJson } from './common.js';
import { denoImports } from './deno-imports.js';
import { jsApp } from './js-app.js';

const NAME = 'node-datastore';

const DRIVERS: [string, Datastore][] = [
  ['pg', 'postgresql'], ['postgres', 'postgresql'], ['pg-promise', 'postgresql'], ['@neondatabase/serverless', 'postgresql'], ['@vercel/postgres', 'postgresql'],
  ['mysql', 'mysql'], ['mysql2', 'mysql'], ['mariadb', 'mysql'],
  ['sqlite3', 'sqlite'], ['better-sqlite3', 'sqlite'], ['@libsql/client', 'sqlite'],
  ['mongoose', 'mongodb'], ['mongodb', 'mongodb'],
  ['ioredis', 'redis'], ['redis', 'redis'], ['bullmq', 'redis'], ['bull', 'redis'],
  ['amqplib', 'rabbitmq'], ['amqp-connection-manager', 'rabbitmq'],
  ['kafkajs', 'kafka'], ['@confluentinc/kafka-javascript', 'kafka'],
  ['@elastic/elasticsearch', 'elasticsearch'], ['@opensearch-project/opensearch', 'elasticsearch'],
  ['@aws-sdk/client-s3', 's3'], ['minio', 's3'],
  ['nodemailer', 'smtp'],
];

/** Deno-native drivers (jsr @db/* and deno.land/x modules); npm: imports use DRIVERS. */
const DENO_DRIVERS: Record<string, Datastore> = {
  'x/postgres': 'postgresql', '@db/postgres': 'postgresql', 'x/postgresjs': 'postgresql', 'x/mysql': 'mysql', '@db/mysql': 'mysql',
  'x/sqlite': 'sqlite', 'x/sqlite3': 'sqlite', '@db/sqlite': 'sqlite', 'x/redis': 'redis', '@db/redis': 'redis', 'x/mongo': 'mongodb',
};
/** Bun's built-in clients: bun:sqlite, and Bun.sql / Bun.redis (imported from "bun" or used on the global). */
const BUN_BUILTINS: { re: RegExp; value: Datastore; confidence: Confidence }[] = [
  { re: /\bfrom\s*['"]bun:sqlite['"]|\brequire\(\s*['"]bun:sqlite['"]\s*\)/, value: 'sqlite', confidence: 'high' },
  // Bun.sql speaks PostgreSQL unless its URL says otherwise.
  { re: /\bBun\.sql\b|\bimport\s*\{[^}]*\b(?:sql|SQL)\b[^}]*\}\s*from\s*['"]bun['"]/, value: 'postgresql', confidence: 'medium' },
  { re: /\bBun\.redis\b|\bimport\s*\{[^}]*\b(?:redis|RedisClient)\b[^}]*\}\s*from\s*['"]bun['"]/, value: 'redis', confidence: 'medium' },
];
const DRIVER_OF = new Map(DRIVERS);

const PRISMA_PROVIDER: Record<string, Datastore> = { postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql', sqlite: 'sqlite', mongodb: 'mongodb', cockroachdb: 'postgresql' };
/** ORM config values (typeorm type, knex client, sequelize dialect) → datastore. */
const ORM_VALUE: Record<string, Datastore> = {
  postgres: 'postgresql', postgresql: 'postgresql', pg: 'postgresql', mysql: 'mysql', mysql2: 'mysql', mariadb: 'mysql',
  sqlite: 'sqlite', sqlite3: 'sqlite', 'better-sqlite3': 'sqlite', mongodb: 'mongodb',
};

interface Acc { evidence: Evidence[]; required: boolean | null; confidence: Confidence }

/** The Prisma schema: package.json `prisma.schema` when set, else prisma/schema.prisma (or a prisma/schema folder). */
async function prismaSchema(ctx: DetectContext, pkg: PackageJson): Promise<{ path: string; text: string }[]> {
  const custom = (pkg.json.prisma as { schema?: unknown } | undefined)?.schema;
  const candidates = typeof custom === 'string' ? [inApp(ctx.appDir, custom.replace(/^\.\//, ''))] : [inApp(ctx.appDir, 'prisma/schema.prisma')];
  const folder = inApp(ctx.appDir, 'prisma/schema');
  for (const f of ctx.repo.under(folder)) if (f.path.endsWith('.prisma')) candidates.push(f.path);
  const out: { path: string; text: string }[] = [];
  for (const path of candidates) {
    const text = await ctx.repo.read(path);
    if (text !== null) out.push({ path, text });
  }
  return out;
}

export const nodeDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await jsApp(ctx);
    if (!app) return [];
    const found = new Map<Datastore, Acc>();
    const add = (value: Datastore, ev: Evidence, required: boolean | null, confidence: Confidence) => {
      const cur = found.get(value);
      if (!cur) { found.set(value, { evidence: [ev], required, confidence }); return; }
      if (cur.evidence.length < 5) cur.evidence.push(ev);
      if (required === true) cur.required = true;
      if (confidence === 'high') cur.confidence = 'high';
    };
    if (app.runtime === 'deno') {
      // An import in the app's map or source means the app connects.
      for (const imp of await denoImports(ctx, app.deno)) {
        const value = DENO_DRIVERS[imp.pkg] ?? DRIVER_OF.get(imp.pkg);
        if (value) add(value, imp.evidence, true, 'high');
      }
    }
    if (app.runtime === 'bun') {
      for (const file of sourceFiles(ctx)) {
        const text = await ctx.repo.read(file);
        if (text === null || !/\bbun\b|\bBun\./.test(text)) continue;
        for (const b of BUN_BUILTINS) {
          const m = b.re.exec(text);
          if (m && !inLineComment(text, m.index)) add(b.value, cite(file, text, m.index), true, b.confidence);
        }
      }
    }
    const pkg = app.pkg;
    if (!pkg) return signals(found);
    // A runtime dependency means the app connects; a dev-only one may be tests or tooling.
    const req = (dep: string): boolean | null => (pkg.deps.get(dep) === 'devDependencies' ? null : true);

    for (const [dep, value] of DRIVERS) if (pkg.deps.has(dep)) add(value, depEvidence(pkg, dep), req(dep), pkg.deps.get(dep) === 'devDependencies' ? 'low' : 'high');

    const prisma = ['@prisma/client', 'prisma'].find((d) => pkg.deps.has(d));
    if (prisma) {
      for (const schema of await prismaSchema(ctx, pkg)) {
        const ds = /datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"(\w+)"/.exec(schema.text);
        const value = ds?.[1] ? PRISMA_PROVIDER[ds[1]] : undefined;
        if (!ds || !value) continue;
        const at = ds.index + ds[0].lastIndexOf('provider');
        add(value, cite(schema.path, schema.text, at), req('@prisma/client') ?? req(prisma), 'high');
      }
    }

    const orm = ['typeorm', 'knex', 'sequelize', '@mikro-orm/core', 'drizzle-orm'].find((d) => pkg.deps.has(d));
    if (orm) {
      // The ORM's config names the database: typeorm `type: 'postgres'`, knex `client: 'pg'`, sequelize `dialect: 'mysql'`.
      const re = /\b(?:type|client|dialect)\s*:\s*['"`](postgres|postgresql|pg|mysql2?|mariadb|sqlite3?|better-sqlite3|mongodb)['"`]/g;
      const files = [...sourceFiles(ctx), ...['ormconfig.json', 'ormconfig.js'].map((f) => inApp(ctx.appDir, f)).filter((p) => ctx.repo.has(p))];
      for (const file of files) {
        const text = await ctx.repo.read(file);
        // Only files that look like ORM config (by content or by name: knexfile.js rarely says `knex`).
        if (text === null || (!/typeorm|knex|sequelize|DataSource|mikro|drizzle|"type"/i.test(text) && !/knexfile|ormconfig|data-?source|database|(?:^|\/)db\.|drizzle\.config/i.test(file))) continue;
        for (const m of text.matchAll(re)) {
          const value = ORM_VALUE[m[1] ?? ''];
          if (value) add(value, cite(file, text, m.index), req(orm), 'medium');
        }
      }
    }

    return signals(found);
  },
};

function signals(found: Map<Datastore, Acc>): Signal[] {
  return [...found].map(([value, a]): Signal => ({ kind: 'datastore', value, required: a.required, evidence: a.evidence, source: 'build-file', confidence: a.confidence, detector: NAME }));
}
