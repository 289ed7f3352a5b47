// Valid v1 alerts for notifier tests (the detector that really produces them is built separately),
// deterministic for a seed, and a helper that produces them to a test's alerts topic the way the
// detector does: keyed `tenant_id:user_id`, acknowledged by all in-sync replicas.
import type { Kafka, KafkaMessage } from 'kafkajs';
import { idempotentProducerConfig } from '../../core/kafka.ts';
import { alertId, alertKey, alertV1, incidentId, severities, type AlertV1 } from '../../schemas/alert.v1.ts';
import { int, pick, seededRng } from './events.factory.ts';

const USERS = [['acme', 'alice@acme.com'], ['acme', 'bob@acme.com'], ['globex', 'hank@globex.io'], ['initech.prod', 'peter']] as const;
const RULES = [
  { id: 'exfil.email-then-secret-then-send', version: 1, title: 'Mail read, then a credential file read, then data sent out', kind: 'sequence' },
  { id: 'drift.tool-description-changed', version: 2, title: 'A server changed a tool description after first use', kind: 'drift' },
  { id: 'baseline.bytes-out', version: 1, title: 'Bytes sent out far above this user\'s baseline', kind: 'baseline' },
] as const;

export function makeAlert(i: number, seed = 1): AlertV1 {
  const rng = seededRng(seed * 100_003 + i);
  const [tenant, user] = pick(rng, USERS);
  const rule = pick(rng, RULES);
  const base = Date.now() - int(rng, 1_000, 60_000);
  const evidence = [
    { tool_class: 'email.read', server: 'gmail', tool: 'search_email', resource: 'inbox' },
    { tool_class: 'secret.read', server: 'filesystem', tool: 'read_file', resource: '/home/u/.ssh/id_rsa' },
    { tool_class: 'chat.send', server: 'slack', tool: 'slack_post_message', resource: '#random' },
  ].map((e, k) => ({
    event_id: `ev-${seed}-${i}-${k}`,
    ts: new Date(base + k * 1_000).toISOString(),
    kind: 'tool_call',
    server_name: e.server,
    tool_name: e.tool,
    tool_class: e.tool_class,
    resource: e.resource,
    status: 'ok',
  }));
  const id = alertId(tenant, rule.id, rule.version, evidence.map((e) => e.event_id));
  return alertV1.parse({
    schema_version: 1,
    alert_id: id,
    incident_id: incidentId(tenant, user, id),
    tenant_id: tenant,
    user_id: user,
    session_id: `sess-${int(rng, 1, 999)}`,
    agent_id: 'agent-7',
    client_name: 'claude-desktop',
    rule: { ...rule },
    severity: pick(rng, severities),
    risk_score: int(rng, 10, 100),
    summary: `${user} read mail, then ~/.ssh/id_rsa, then posted to Slack`,
    ts: evidence[2]!.ts,
    detected_at: new Date(base + 2_500).toISOString(),
    evidence,
    tags: ['private_data', 'external_sink'],
  });
}

export function makeAlerts(n: number, seed = 1): AlertV1[] {
  return Array.from({ length: n }, (_, i) => makeAlert(i, seed));
}

/** Produces alerts to `topic` as the detector would; resolves once Kafka acknowledged them all. */
export async function produceAlerts(kafka: Kafka, topic: string, alerts: readonly AlertV1[]): Promise<void> {
  const producer = kafka.producer(idempotentProducerConfig);
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: alerts.map((a) => ({ key: alertKey(a), value: JSON.stringify(a) })) });
  } finally {
    await producer.disconnect();
  }
}

/** Every message of a (small) topic, read from the beginning with a throw-away group. */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `t.read.${Date.now()}.${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void out.push(message) });
  const until = Date.now() + timeoutMs;
  while (out.length < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  // A moment more, so that a test expecting N also sees an unexpected N+1.
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return out;
}

/** True when the group's committed offsets reached the end of every partition of the topic. */
export async function committedToEnd(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => {
      const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1';
      return Number(e.high) === 0 || Number(c) >= Number(e.high);
    });
  } finally {
    await admin.disconnect();
  }
}

/** Headers of a Kafka message as strings. */
export function headersOf(m: KafkaMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
}
