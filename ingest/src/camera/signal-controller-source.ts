import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { scrubUrlCredentials, type CameraConfig } from '@ioc/schemas';
import type { DeadLetterRow } from '../ports';
import { SignalControllerFeed } from './signal-groups';

export interface SignalControllerSourceOptions {
  brokerUrl: string;
  cameras: readonly CameraConfig[];
  logger: Logger;
  /** Refused controller messages (not JSON, wrong shape) are kept with their reason, like sensor messages. */
  deadLetters?: { writeDeadLetters(rows: DeadLetterRow[]): Promise<void> } | undefined;
  startTimeoutMs?: number;
}

/**
 * Signal states from the controllers' MQTT feeds (`signalGroups[].source: controller`, one topic per group) for
 * the live red-light rules: one `SignalControllerFeed` per camera, all topics on one connection. The broker keeps
 * the last message per topic when controllers publish retained, so a restarted service knows the states at once.
 */
export class SignalControllerSource {
  readonly #options: SignalControllerSourceOptions;
  readonly #log: Logger;
  readonly #feeds = new Map<string, SignalControllerFeed>();
  #client: MqttClient | undefined;

  constructor(options: SignalControllerSourceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'signal-controller-source' });
    for (const camera of options.cameras) {
      if (!camera.enabled) continue;
      const feed = new SignalControllerFeed(camera.signalGroups);
      if (feed.topics.length > 0) this.#feeds.set(camera.id, feed);
    }
  }

  /** Topics of every camera's controller groups (a topic two cameras share is subscribed once). */
  get topics(): string[] {
    return [...new Set([...this.#feeds.values()].flatMap((feed) => feed.topics))];
  }

  /** The camera's controller states, if it has controller groups. */
  feedFor(cameraId: string): SignalControllerFeed | undefined {
    return this.#feeds.get(cameraId);
  }

  /** Connects and subscribes (QoS 1); resolves once the broker granted every topic. Nothing to do without topics. */
  async start(): Promise<void> {
    const topics = this.topics;
    if (topics.length === 0 || this.#client) return;
    const client = mqtt.connect(this.#options.brokerUrl, { clientId: `ioc-signals-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, clean: true, reconnectPeriod: 1000 });
    this.#client = client;
    client.on('message', (topic, payload) => this.#receive(topic, payload));
    client.on('error', (err) => this.#log.warn({ err: { message: scrubUrlCredentials(err.message) } }, 'signal controller connection error'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Cannot subscribe to the signal controller topics on ${scrubUrlCredentials(this.#options.brokerUrl)}`)), this.#options.startTimeoutMs ?? 15_000);
      // Subscribed again on every connect: a broker restarted without persistence forgets subscriptions.
      client.on('connect', () => {
        client.subscribe(topics, { qos: 1 }, (err, granted) => {
          const refused = granted?.filter((grant) => grant.qos >= 0x80) ?? [];
          if (err || refused.length > 0) {
            this.#log.error({ err, refused: refused.map((grant) => grant.topic) }, 'signal controller subscription refused');
            return;
          }
          this.#log.info({ topics: topics.length }, 'subscribed to signal controllers');
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }

  #receive(topic: string, payload: Buffer): void {
    for (const [cameraId, feed] of this.#feeds) {
      if (!feed.topics.includes(topic)) continue;
      const result = feed.handleMessage(topic, payload);
      if (result.ok) continue;
      this.#log.warn({ cameraId, topic, reason: result.reason }, 'signal controller message refused');
      const row: DeadLetterRow = { receivedAtMs: Date.now(), source: 'mqtt', topic, payload: payload.toString('utf8').slice(0, 4096), code: 'IOC_ERR_VALIDATION', reason: result.reason };
      this.#options.deadLetters?.writeDeadLetters([row]).catch((err: unknown) => this.#log.error({ err }, 'dead letter not written'));
      // One dead letter per message, not one per camera sharing the topic.
      break;
    }
  }

  async close(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = undefined;
  }
}
