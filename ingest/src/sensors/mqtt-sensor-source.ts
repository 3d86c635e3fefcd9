import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { scrubUrlCredentials, type IocConfig } from '@ioc/schemas';
import type { DeadLetterRow, ReadingSink } from '../ports';
import { DEAD_LETTER_PAYLOAD_PREFIX_BYTES, SENSOR_TOPIC_FILTER, decodeSensorPayload, deviceIdFromTopic, payloadForDeadLetter } from './mqtt-payload';
import { describeIssues } from './reading-validator';
import type { SensorIngest } from './sensor-ingest';

export interface MqttSensorSourceOptions {
  /** `mqtt://user:pass@host:port`; credentials never reach a log line. */
  brokerUrl: string;
  sensorIngest: Pick<SensorIngest, 'acceptBatch'>;
  writer: Pick<ReadingSink, 'writeDeadLetters'>;
  config: { mqtt: Pick<IocConfig['mqtt'], 'maxPayloadBytes'> };
  logger: Logger;
  /** Default: `ioc-ingest-sensors-<random>`, so several ingest processes can subscribe side by side. */
  clientId?: string;
  /** Wait between reconnect attempts. Default 1000 ms. */
  reconnectPeriodMs?: number;
  /** `start()` rejects when the first subscription is not confirmed by then. Default 10 000 ms. */
  startTimeoutMs?: number;
  /**
   * Keep the broker session (clean: false) under a fixed `clientId`: QoS 1 readings sent while no one is
   * connected wait at the broker for the next connection with that id (split mode: the next '@site' holder).
   */
  persistentSession?: boolean;
}

/**
 * Subscribes to `ioc/v1/sensors/+` (QoS 1) and feeds each message to the sensor ingest, the device id taken from
 * the topic. A message that cannot be accepted, or the items of an array that cannot, become dead-letter rows
 * with the code and the field path; the valid items of the same array are accepted all the same.
 *
 * Messages are acknowledged on receipt (mqtt.js acknowledges before the next packet is read, so holding the
 * acknowledgement until the write is durable would serialise every sensor behind one database round trip);
 * the window for loss is a crash between receipt and the writer's outbox.
 */
export class MqttSensorSource {
  readonly #brokerUrl: string;
  readonly #sensorIngest: Pick<SensorIngest, 'acceptBatch'>;
  readonly #writer: Pick<ReadingSink, 'writeDeadLetters'>;
  readonly #maxPayloadBytes: number;
  readonly #logger: Logger;
  readonly #clientId: string;
  readonly #reconnectPeriodMs: number;
  readonly #startTimeoutMs: number;
  readonly #persistentSession: boolean;
  readonly #inFlight = new Set<Promise<void>>();
  #client: MqttClient | undefined;
  #closed = false;
  /** Whether the loss of the connection was already logged, so a broker that stays away logs once, not every second. */
  #offlineLogged = false;
  #messagesReceived = 0;

  constructor(options: MqttSensorSourceOptions) {
    this.#brokerUrl = options.brokerUrl;
    this.#sensorIngest = options.sensorIngest;
    this.#writer = options.writer;
    this.#maxPayloadBytes = options.config.mqtt.maxPayloadBytes;
    this.#persistentSession = options.persistentSession ?? false;
    this.#clientId = options.clientId ?? `ioc-ingest-sensors-${randomBytes(4).toString('hex')}`;
    this.#reconnectPeriodMs = options.reconnectPeriodMs ?? 1000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.#logger = options.logger.child({ module: 'mqtt-sensor-source', broker: scrubUrlCredentials(options.brokerUrl), clientId: this.#clientId });
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Messages received since start (accepted or not). */
  get messagesReceived(): number {
    return this.#messagesReceived;
  }

  /** Connects and subscribes; resolves once the broker confirms the subscription, rejects after `startTimeoutMs`. */
  async start(): Promise<void> {
    if (this.#client) throw new Error('MqttSensorSource.start() was already called');
    const client = mqtt.connect(this.#brokerUrl, {
      clientId: this.#clientId,
      clean: !this.#persistentSession,
      reconnectPeriod: this.#reconnectPeriodMs,
      connectTimeout: Math.min(this.#startTimeoutMs, 30_000),
      // Subscribed on every connect below, where a refused subscription can be seen and logged.
      resubscribe: false,
    });
    this.#client = client;
    let lastError: Error | undefined;
    let settleStart: ((error?: Error) => void) | undefined;
    const started = new Promise<void>((resolve, reject) => {
      settleStart = (error) => (error ? reject(error) : resolve());
    });

    client.on('connect', () => {
      this.#offlineLogged = false;
      client.subscribe(SENSOR_TOPIC_FILTER, { qos: 1 }, (err, granted) => {
        const refused = granted?.find((grant) => grant.qos >= 0x80);
        if (err || refused) {
          const error = new Error(`The MQTT broker ${scrubUrlCredentials(this.#brokerUrl)} refused the subscription to ${SENSOR_TOPIC_FILTER}: ${err ? err.message : `reason code ${refused?.qos}`}`);
          this.#logger.error({ err: error }, 'subscription refused');
          settleStart?.(error);
          settleStart = undefined;
          return;
        }
        this.#logger.info({ topic: SENSOR_TOPIC_FILTER }, 'subscribed to sensor readings');
        settleStart?.();
        settleStart = undefined;
      });
    });
    client.on('close', () => {
      if (this.#closed || this.#offlineLogged) return;
      this.#offlineLogged = true;
      this.#logger.warn({ reconnectPeriodMs: this.#reconnectPeriodMs }, 'disconnected from the MQTT broker; reconnecting');
    });
    client.on('error', (err) => {
      lastError = err;
      // While reconnecting, the same error repeats every period: log it at debug after the first time.
      if (this.#offlineLogged) this.#logger.debug({ err }, 'MQTT connection error');
      else this.#logger.warn({ err }, 'MQTT connection error');
    });
    client.on('message', (topic, payload) => {
      this.#messagesReceived += 1;
      const task = this.#handle(topic, payload).catch((err: unknown) => this.#logger.error({ err, topic }, 'handling a sensor message failed'));
      this.#inFlight.add(task);
      void task.finally(() => this.#inFlight.delete(task));
    });

    const timer = setTimeout(() => {
      const reason = lastError ? scrubUrlCredentials(lastError.message) : 'no answer';
      settleStart?.(new Error(`Cannot subscribe to the MQTT broker ${scrubUrlCredentials(this.#brokerUrl)} within ${this.#startTimeoutMs} ms (${reason}). Check mqtt.url / MQTT_URL and that the broker runs.`));
      settleStart = undefined;
    }, this.#startTimeoutMs);
    try {
      await started;
    } catch (err) {
      this.#closed = true;
      client.end(true);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async #handle(topic: string, payload: Buffer): Promise<void> {
    const receivedAtMs = Date.now();
    const deadLetter = (code: string, reason: string, text: string): DeadLetterRow => ({ receivedAtMs, source: 'mqtt', topic, payload: text, code, reason });

    const topicDevice = deviceIdFromTopic(topic);
    if (!topicDevice.ok) {
      await this.#deadLetters([deadLetter('IOC_ERR_VALIDATION', `topic: ${topicDevice.reason}`, payloadForDeadLetter(payload, DEAD_LETTER_PAYLOAD_PREFIX_BYTES))]);
      return;
    }
    const decoded = decodeSensorPayload(payload, this.#maxPayloadBytes);
    if (!decoded.ok) {
      await this.#deadLetters([deadLetter(decoded.code, decoded.reason, payloadForDeadLetter(payload, DEAD_LETTER_PAYLOAD_PREFIX_BYTES))]);
      return;
    }
    const result = await this.#sensorIngest.acceptBatch(decoded.items, { source: 'mqtt', deviceId: topicDevice.deviceId });
    if (result.rejected.length === 0) return;
    // An array's rejected item is kept on its own, its path starting with its index; a single object whole.
    await this.#deadLetters(
      result.rejected.map(({ index, code, issues }) =>
        decoded.isArray
          ? deadLetter(code, describeIssues(issues, String(index)), JSON.stringify(decoded.items[index]))
          : deadLetter(code, describeIssues(issues), decoded.text),
      ),
    );
  }

  async #deadLetters(rows: DeadLetterRow[]): Promise<void> {
    const first = rows[0];
    this.#logger.warn({ topic: first?.topic, code: first?.code, reason: first?.reason, count: rows.length }, 'sensor message rejected; kept as dead letter');
    try {
      await this.#writer.writeDeadLetters(rows);
    } catch (err) {
      this.#logger.error({ err, count: rows.length }, 'writing dead letters failed');
    }
  }

  /** Stops receiving, then waits for the messages being handled. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    if (client) await client.endAsync();
    await Promise.allSettled([...this.#inFlight]);
  }
}
