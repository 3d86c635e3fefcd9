import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { busMessageSchema, type BusMessage } from '@ioc/schemas';

/**
 * The bus carries facts from ingest to the API nodes (live push). It is not durable: the store is the record,
 * and a client that missed events takes a new snapshot. In one process the bus is an EventEmitter; across
 * processes it is an MQTT topic on the broker the system already runs.
 */
export interface Bus {
  publish(message: BusMessage): void;
  subscribe(handler: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(100);
  }

  publish(message: BusMessage): void {
    this.#emitter.emit('message', message);
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.#emitter.on('message', handler);
    return () => this.#emitter.off('message', handler);
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }
}

export const BUS_TOPIC = 'ioc/v1/bus/events';

export class MqttBus implements Bus {
  readonly #client: MqttClient;
  readonly #handlers = new Set<(message: BusMessage) => void>();
  readonly #logger: Logger;
  /** Resolves once the broker has acknowledged the first subscription: from then on nothing published is missed. */
  readonly subscribed: Promise<void>;

  constructor(brokerUrl: string, logger: Logger, clientId = `ioc-bus-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) {
    this.#logger = logger.child({ module: 'bus' });
    this.#client = mqtt.connect(brokerUrl, { clientId, reconnectPeriod: 1000, clean: true });
    let markSubscribed: () => void = () => undefined;
    this.subscribed = new Promise((resolve) => (markSubscribed = resolve));
    this.#client.on('connect', () => {
      this.#client.subscribe(BUS_TOPIC, { qos: 0 }, (err) => {
        if (!err) markSubscribed();
      });
    });
    this.#client.on('message', (_topic, payload) => this.#receive(payload));
    this.#client.on('error', (err) => this.#logger.warn({ err }, 'bus connection error'));
  }

  #receive(payload: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      this.#logger.warn({ err }, 'bus message is not JSON; ignored');
      return;
    }
    const result = busMessageSchema.safeParse(parsed);
    if (!result.success) {
      this.#logger.warn({ issues: result.error.issues.slice(0, 3) }, 'bus message does not match the contract; ignored');
      return;
    }
    for (const handler of this.#handlers) handler(result.data);
  }

  publish(message: BusMessage): void {
    this.#client.publish(BUS_TOPIC, JSON.stringify(message), { qos: 0 });
  }

  subscribe(handler: (message: BusMessage) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    await this.#client.endAsync();
  }
}
