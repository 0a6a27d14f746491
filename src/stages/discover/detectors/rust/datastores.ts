// Datastores a Rust app uses, from its dependencies (and their database features: sqlx, diesel, sea-orm), evidence the dependency line.
import type { Confidence, Datastore, Detector, Signal } from '../../types.js';
import { rustApp } from './common.js';

const NAME = 'rust-datastore';

/** Crates that are a client for one datastore. */
const CLIENTS: [string, Datastore, Confidence][] = [
  ['tokio-postgres', 'postgresql', 'high'], ['postgres', 'postgresql', 'high'], ['deadpool-postgres', 'postgresql', 'high'], ['bb8-postgres', 'postgresql', 'high'],
  ['mysql', 'mysql', 'high'], ['mysql_async', 'mysql', 'high'], ['rusqlite', 'sqlite', 'high'],
  ['redis', 'redis', 'high'], ['deadpool-redis', 'redis', 'high'], ['bb8-redis', 'redis', 'high'], ['fred', 'redis', 'high'],
  ['mongodb', 'mongodb', 'high'], ['lapin', 'rabbitmq', 'high'], ['amqprs', 'rabbitmq', 'high'],
  ['rdkafka', 'kafka', 'high'], ['elasticsearch', 'elasticsearch', 'high'],
  ['aws-sdk-s3', 's3', 'low'], ['rusoto_s3', 's3', 'low'], ['rust-s3', 's3', 'low'], ['lettre', 'smtp', 'medium'],
];

/** Crates whose features name the database: feature → datastore. */
const BY_FEATURE: Record<string, Record<string, Datastore>> = {
  sqlx: { postgres: 'postgresql', mysql: 'mysql', sqlite: 'sqlite' },
  diesel: { postgres: 'postgresql', mysql: 'mysql', sqlite: 'sqlite' },
  'diesel-async': { postgres: 'postgresql', mysql: 'mysql' },
  'sea-orm': { 'sqlx-postgres': 'postgresql', 'sqlx-mysql': 'mysql', 'sqlx-sqlite': 'sqlite' },
};

export const rustDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const d of app.deps) {
      const evidence = d.rootEvidence ? [d.evidence, d.rootEvidence] : [d.evidence];
      const hits: [Datastore, Confidence][] = [];
      const client = CLIENTS.find(([c]) => c === d.crate);
      if (client) hits.push([client[1], client[2]]);
      const features = BY_FEATURE[d.crate];
      if (features) for (const f of d.features) { const v = features[f]; if (v) hits.push([v, 'high']); }
      for (const [value, confidence] of hits) {
        if (seen.has(value)) continue;
        seen.add(value);
        out.push({ kind: 'datastore', value, required: null, evidence, source: 'build-file', confidence, detector: NAME });
      }
    }
    return out;
  },
};
