// Helpers of the capture integration tests: read a topic raw (every message's bytes, as stored),
// an echo MCP server behind the SDK middleware, and the paths of the real CLI and of the real
// filesystem MCP server.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import type { Capture } from '../capture/capture.ts';
import { withAudit } from '../capture/sdk.middleware.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';

export const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
export const FS_SERVER = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url));

/** Waits until a new topic has a leader, so reading it back cannot race its creation. */
export async function waitForTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let tries = 0; tries < 150; tries++) {
      if (await admin.fetchTopicOffsets(topic).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`topic ${topic} has no leader`);
  } finally {
    await admin.disconnect();
  }
}

/** Every message of `topic` as raw key and value bytes, read up to the current end offsets. */
export async function readTopicRaw(kafka: Kafka, topic: string): Promise<{ key: Buffer | null; value: Buffer | null }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const out: { key: Buffer | null; value: Buffer | null }[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `raw-reader-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${total} messages of ${topic}`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: message.key, value: message.value });
        if (out.length >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

/** A client of an `echo` tool (answers its argument `n`) on a server wrapped by the SDK middleware, as alice of acme. */
export async function auditedEchoClient(capture: Capture, clientName: string): Promise<Client> {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes.', inputSchema: { n: z.number() } }, async ({ n }) => ({ content: [{ type: 'text', text: String(n) }] }));
  withAudit(server, { capture, identity: { tenantId: 'acme', userId: 'alice' } });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: clientName, version: '1' });
  await client.connect(b);
  return client;
}

/** The audit events of `topic` made for one user (tests give each run its own user). */
export async function eventsOfUser(kafka: Kafka, topic: string, user: string): Promise<AuditEventV2[]> {
  const raw = await readTopicRaw(kafka, topic);
  return raw.map((m) => JSON.parse(m.value!.toString()) as AuditEventV2).filter((e) => e.actor.user_id === user);
}
