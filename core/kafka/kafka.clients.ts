// What the consumer runtime (consumer.runtime.ts) needs from a Kafka client library, and nothing
// more: a group consumer that hands over one partition's batch at a time and commits explicit
// offsets, and a producer that resolves once every message is acknowledged. kafkajs.clients.ts
// implements it with kafkajs; another library (say @platformatic/kafka) would implement the same
// two interfaces there and leave the runtime and the services as they are.

/** One record as the services see it. kafkajs' own messages have this shape already (no copy). */
export interface InboundMessage {
  key: Buffer | null;
  value: Buffer | null;
  /** Kafka offsets are 64-bit: a decimal string, as every client library hands them over. */
  offset: string;
}

/** The records of one partition from one fetch, and the controls that go with them. */
export interface FetchedBatch {
  partition: number;
  /** One past the last offset written to the partition when the fetch was answered. */
  highWatermark: string;
  messages: readonly InboundMessage[];
  /** Moves the fetch position past `offset` (never a commit: the runtime decides those). */
  resolve(offset: string): void;
  /** Keeps the group membership while a batch waits (backpressure, a slow sink). */
  heartbeat(): Promise<void>;
  /** True once the batch should be left: the consumer stops, or the partition was sought elsewhere. */
  abandoned(): boolean;
}

export interface ConsumerEvents {
  /** The group (re)assigned partitions: a new generation, which re-reads from the committed offsets. */
  assigned(partitions: number[]): void;
  /** The client failed; `restarting` when it rejoins by itself. */
  crashed(err: unknown, restarting: boolean): void;
}

export interface ConsumerOptions {
  groupId: string;
  topic: string;
  /** Partitions worked on at the same time, one batch each. */
  concurrency: number;
  /** Longest time the broker holds a fetch open waiting for data. */
  maxWaitMs: number;
  /** Data the broker waits for (up to `maxWaitMs`) before it answers a fetch; default 1 byte: answer at once. */
  minBytes?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /** How long the group waits for a silent member before giving its partitions to another. */
  sessionTimeoutMs?: number;
}

export interface ConsumerClient {
  /** Connects, subscribes (from the beginning when the group has no offsets) and starts fetching. */
  start(eachBatch: (batch: FetchedBatch) => Promise<void>, events: ConsumerEvents): Promise<void>;
  /** Commits explicit offsets (one past the last finished message) of the topic. */
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /** Stops fetching; batches in progress finish. */
  pause(): void;
  /** Leaves the group and closes the connections. */
  disconnect(): Promise<void>;
}

export interface CommitOffset {
  partition: number;
  offset: string;
}

export interface OutboundMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

export interface RecordProducer {
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every message from all in-sync replicas. */
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The factory a client library provides. */
export interface KafkaClients {
  consumer(options: ConsumerOptions): ConsumerClient;
  producer(): RecordProducer;
}
