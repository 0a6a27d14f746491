// Datastores a Go app uses, from the drivers and clients its go.mod requires directly.
import { datastoreSink, type DatastoreRow } from '../../datastore-table.js';
import type { Detector } from '../../types.js';
import { goApp, modMatches } from './common.js';

const NAME = 'go-datastore';

const DRIVERS: DatastoreRow[] = [
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
    const sink = datastoreSink(NAME);
    // In go.mod order (a module path matches a table prefix, so the table cannot drive the walk).
    for (const r of app.mod.requires) {
      const hit = r.indirect ? undefined : DRIVERS.find(([p]) => modMatches(r.path, p));
      if (hit) sink.push(hit[1], null, r.evidence, 'build-file', hit[2]);
    }
    return sink.out;
  },
};
