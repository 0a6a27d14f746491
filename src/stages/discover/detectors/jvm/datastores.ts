// Datastores a JVM service uses: driver/starter dependencies and datasource URL schemes in application config (scheme only, never the URL).
import type { Confidence, Datastore, Detector, Evidence, Signal, SourceClass } from '../../types.js';
import { isJvmApp, jvmBuild, propEvidence } from './common.js';

const NAME = 'jvm-datastore';

/** [group (exact, or prefix ending in '.'), artifact pattern, datastore] */
const DEPS: [string, RegExp, Datastore, Confidence][] = [
  ['org.postgresql', /^(?:postgresql|r2dbc-postgresql)$/, 'postgresql', 'high'],
  ['io.quarkus', /^quarkus-(?:jdbc-postgresql|reactive-pg-client)$/, 'postgresql', 'high'],
  ['mysql', /^mysql-connector-java$/, 'mysql', 'high'],
  ['com.mysql', /^mysql-connector-j$/, 'mysql', 'high'],
  ['org.mariadb.jdbc', /^mariadb-java-client$/, 'mysql', 'high'],
  ['io.quarkus', /^quarkus-(?:jdbc-(?:mysql|mariadb)|reactive-mysql-client)$/, 'mysql', 'high'],
  ['org.xerial', /^sqlite-jdbc$/, 'sqlite', 'high'],
  ['org.springframework.boot', /^spring-boot-starter-data-mongodb(?:-reactive)?$/, 'mongodb', 'high'],
  ['org.mongodb', /^mongodb-driver/, 'mongodb', 'high'],
  ['io.quarkus', /^quarkus-mongodb-(?:client|panache)/, 'mongodb', 'high'],
  ['org.springframework.boot', /^spring-boot-starter-data-redis(?:-reactive)?$/, 'redis', 'high'],
  ['redis.clients', /^jedis$/, 'redis', 'high'],
  ['io.lettuce', /^lettuce-core$/, 'redis', 'high'],
  ['io.quarkus', /^quarkus-redis-client$/, 'redis', 'high'],
  ['org.springframework.kafka', /^spring-kafka$/, 'kafka', 'high'],
  ['org.apache.kafka', /^kafka-clients$/, 'kafka', 'high'],
  ['io.quarkus', /^quarkus-(?:smallrye-reactive-messaging|messaging)-kafka$/, 'kafka', 'high'],
  ['org.springframework.boot', /^spring-boot-starter-amqp$/, 'rabbitmq', 'high'],
  ['com.rabbitmq', /^amqp-client$/, 'rabbitmq', 'high'],
  ['io.quarkus', /^quarkus-(?:smallrye-reactive-messaging|messaging)-rabbitmq$/, 'rabbitmq', 'high'],
  ['org.springframework.boot', /^spring-boot-starter-data-elasticsearch$/, 'elasticsearch', 'high'],
  ['software.amazon.awssdk', /^s3$/, 's3', 'medium'],
  ['org.springframework.boot', /^spring-boot-starter-mail$/, 'smtp', 'medium'],
];

const SCHEMES: [RegExp, Datastore][] = [
  [/^jdbc:postgresql:|^r2dbc:postgresql:|^postgres(?:ql)?:\/\//, 'postgresql'], [/^jdbc:(?:mysql|mariadb):|^r2dbc:(?:mysql|mariadb):|^mysql:\/\//, 'mysql'],
  [/^jdbc:sqlite:/, 'sqlite'], [/^mongodb(?:\+srv)?:\/\//, 'mongodb'], [/^rediss?:\/\//, 'redis'], [/^amqps?:\/\//, 'rabbitmq'],
];
const URL_KEYS = /^(?:spring\.datasource\.url|spring\.r2dbc\.url|spring\.data\.mongodb\.uri|spring\.(?:data\.)?redis\.url|spring\.rabbitmq\.addresses|quarkus\.datasource(?:\.[\w-]+)?\.(?:jdbc|reactive)\.url|datasources\.default\.url)$/;
const DB_KIND: Record<string, Datastore> = { postgresql: 'postgresql', mysql: 'mysql', mariadb: 'mysql' };

export const jvmDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isJvmApp(ctx)) return [];
    const b = await jvmBuild(ctx);
    const out: Signal[] = [];
    // One signal per datastore, citing every place that names it; the strongest source and confidence win.
    const byValue = new Map<Datastore, { evidence: Evidence[]; source: SourceClass; confidence: Confidence }>();
    const RANK = { high: 3, medium: 2, low: 1 } as const;
    const push = (value: Datastore, ev: Evidence, source: SourceClass, confidence: Confidence): void => {
      const cur = byValue.get(value);
      if (!cur) { byValue.set(value, { evidence: [ev], source, confidence }); return; }
      if (!cur.evidence.some((e) => e.file === ev.file && e.line === ev.line)) cur.evidence.push(ev);
      if (RANK[confidence] > RANK[cur.confidence]) cur.confidence = confidence;
    };
    for (const d of b.deps) {
      if (d.test) continue;
      const hit = DEPS.find(([g, re]) => (d.group === g || (g.endsWith('.') && d.group.startsWith(g))) && re.test(d.artifact));
      if (hit) push(hit[2], d.evidence, 'build-file', hit[3]);
    }
    for (const p of b.props) {
      if (URL_KEYS.test(p.key)) {
        const hit = SCHEMES.find(([re]) => re.test(p.value.trim()));
        if (hit) push(hit[1], propEvidence(p), 'code', 'high');
      }
      if (/^quarkus\.datasource(?:\.[\w-]+)?\.db-kind$/.test(p.key)) {
        const v = DB_KIND[p.value.trim()];
        if (v) push(v, propEvidence(p), 'code', 'high');
      }
    }
    for (const [value, v] of byValue) out.push({ kind: 'datastore', value, required: null, evidence: v.evidence, source: v.source, confidence: v.confidence, detector: NAME });
    return out;
  },
};
