// Which Kafka client library a service's consumer runtime uses (MCP_AUDIT_KAFKA_CONSUMER_CLIENT):
// the service's kafkajs client, or @platformatic/kafka on the same connection settings.
import type { Kafka } from 'kafkajs';
import type { Config } from '../config.ts';
import type { KafkaClients } from './kafka.clients.ts';
import { kafkajsClients } from './kafkajs.clients.ts';
import { platformaticClients } from './platformatic.clients.ts';

export function consumerClients(config: Pick<Config, 'consumer' | 'kafka'>, kafka: Kafka): KafkaClients {
  return config.consumer.client === 'platformatic' ? platformaticClients(config.kafka) : kafkajsClients(kafka);
}
