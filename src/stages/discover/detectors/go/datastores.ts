// Datastores a Go app uses, from the drivers and clients its go.mod requires directly.
import type { Confidence, Datastore, Detector, Signal } from '../../types.js';
import { goApp, modMatches } from './common.js';

const NAME = 'go-datastore';

const DRIVERS: [string, Datastore, Confidence][] = [
  ['github.com/lib/pq', 'postgresql', 'high'], ['github.com/jackc/pgx', 'postgresql', 'high'], ['gorm.io/driver/postgres', 'postgresql', 'high'],
  ['github.com/go-pg/pg', 'postgresql', 'high'], ['github.com/uptrace/bun/driver/pgdriver', 'postgresql', 'high'],
  ['github.com/go-sql-driver/mysql', 'mysql', 'high'], ['gorm.io/driver/mysql', 'mysql', 'high'],
  ['github.com/mattn/go-sqlite3', 'sqlite', 'high'], ['modernc.org/sqlite', 'sqlite', 'high'], ['gorm.io/driver/sqlite', 'sqlite', 'high'], ['github.com/glebarez/sqlite', 'sqlite', 'high'],
  ['go.mongodb.org/mongo-driver', 'mongodb', 'high'],
  ['github.com/go-redis/redis', 'redis', 'high'], ['github.com/redis/go-redis', 'redis', 'high'], ['github.com/gomodule/redigo', 'redis', 'high'],
  ['github.com/streadway/amqp', 'rabbitmq', 'high'], ['github.com/rabbitmq/amqp091-go', 'rabbitmq', 'high'],
  ['github.com/segmentio/kafka-go', 'kafka', 'high'], ['github.com/IBM/sarama', 'kafka', 'high'], ['github.com/Shopify/sarama', 'kafka', 'high'],
  ['github.com/confluentinc/confluent-kafka-go', 'kafka', 'high'],
  ['github.com/elastic/go-elasticsearch', 'elasticsearch', 'high'], ['github.com/olivere/elastic', 'elasticsearch', 'high'],
  ['github.com/aws/aws-sdk-go-v2/service/s3', 's3', 'low'], ['github.com/minio/minio-go', 's3', 'low'],
];

export const goDatastoreDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const r of app.mod.requires) {
      if (r.indirect) continue;
      const hit = DRIVERS.find(([p]) => modMatches(r.path, p));
      if (!hit || seen.has(`${hit[1]}|${r.evidence.line}`)) continue;
      seen.add(`${hit[1]}|${r.evidence.line}`);
      out.push({ kind: 'datastore', value: hit[1], required: null, evidence: [r.evidence], source: 'build-file', confidence: hit[2], detector: NAME });
    }
    return out;
  },
};
