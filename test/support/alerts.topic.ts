// Reads every alert on a test's alerts topic, from the beginning up to the end offsets at the time
// of the call (a fresh consumer group each time, so nothing is skipped by earlier reads).
import { createKafka } from '../../core/kafka.ts';
import type { AlertV1 } from '../../schemas/alert.v1.ts';
import { testLog, type TestEnv } from './test.env.ts';

/** The columns of an `alerts` table row that tests compare with the topic. */
export interface StoredAlert {
  alert_id: string;
  rule_id: string;
  tenant_id: string;
  user_id: string;
  evidence_event_ids: string[];
}

export async function readAlertsTopic(t: TestEnv, timeoutMs = 30_000): Promise<AlertV1[]> {
  const kafka = createKafka(t.config.kafka, testLog);
  const admin = kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(t.config.topics.alerts)).reduce((n, o) => n + Number(o.high), 0);
  await admin.disconnect();
  const alerts: AlertV1[] = [];
  if (total === 0) return alerts;
  const consumer = kafka.consumer({ groupId: `${t.config.detector.groupId}.reader.${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: t.config.topics.alerts, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        alerts.push(JSON.parse(String(message.value)) as AlertV1);
        if (alerts.length >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return alerts;
}
