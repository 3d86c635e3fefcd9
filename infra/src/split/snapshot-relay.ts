import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/**
 * Camera snapshots in split mode. The annotated JPEG is drawn by the ingest worker that holds the camera, but the
 * wall asks an API node for `GET /api/v1/cameras/:id/snapshot.jpg`. The worker publishes each new snapshot as a
 * *retained* MQTT message on the broker the deployment already runs, one topic per camera; API nodes keep the
 * latest per camera. Retained, so a node that starts (or a camera whose worker moved) has a picture at once.
 *
 * Not on the JSON bus: a snapshot is ~50–200 kB of binary, every few seconds, and only the latest matters.
 * Cost at 100 cameras every 5 s: ~2–4 MB/s through the broker, ~10–20 MB held per API node and in the broker.
 */
export const SNAPSHOT_TOPIC_FILTER = 'ioc/v1/cameras/+/snapshot';

/** Camera ids are `[A-Za-z0-9][A-Za-z0-9_.:-]*` (entityIdSchema): no MQTT wildcard or level separator to escape. */
export function snapshotTopic(cameraId: string): string {
  return `ioc/v1/cameras/${cameraId}/snapshot`;
}

export function cameraIdOfSnapshotTopic(topic: string): string | undefined {
  const match = /^ioc\/v1\/cameras\/([^/+#]+)\/snapshot$/.exec(topic);
  return match?.[1];
}

export interface CameraSnapshot {
  jpeg: Buffer;
  takenAtMs: number;
}

const HEADER_BYTES = 8;

/** Payload: the time it was taken (float64, big-endian, ms since the epoch) then the JPEG bytes. */
export function encodeSnapshot(snapshot: CameraSnapshot): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeDoubleBE(snapshot.takenAtMs, 0);
  return Buffer.concat([header, snapshot.jpeg]);
}

/** The snapshot, or undefined for anything that is not a time followed by a JPEG (an empty retained message clears). */
export function decodeSnapshot(payload: Buffer): CameraSnapshot | undefined {
  if (payload.length < HEADER_BYTES + 3) return undefined;
  const takenAtMs = payload.readDoubleBE(0);
  // A JPEG starts with SOI + the first marker: FF D8 FF.
  if (!Number.isFinite(takenAtMs) || payload[HEADER_BYTES] !== 0xff || payload[HEADER_BYTES + 1] !== 0xd8 || payload[HEADER_BYTES + 2] !== 0xff) return undefined;
  return { jpeg: payload.subarray(HEADER_BYTES), takenAtMs };
}

export interface SnapshotSource {
  runningCameraIds: string[];
  snapshot(cameraId: string): CameraSnapshot | undefined;
}

/** On an ingest worker: publishes each camera's snapshot when a newer one was drawn, checked every `intervalMs`. */
export class SnapshotPublisher {
  readonly #client: MqttClient;
  readonly #source: SnapshotSource;
  readonly #published = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  readonly #logger: Logger;

  constructor(options: { brokerUrl: string; clientId: string; source: SnapshotSource; intervalMs: number; logger: Logger }) {
    this.#source = options.source;
    this.#logger = options.logger.child({ module: 'snapshot-publisher' });
    this.#client = mqtt.connect(options.brokerUrl, { clientId: options.clientId, reconnectPeriod: 1000, clean: true });
    this.#client.on('error', (err) => this.#logger.warn({ err }, 'snapshot publisher connection error'));
    this.#timer = setInterval(() => this.publishNew(), options.intervalMs);
    this.#timer.unref();
  }

  /** Publishes what is newer than last time; returns how many went out. */
  publishNew(): number {
    if (!this.#client.connected) return 0;
    let sent = 0;
    for (const cameraId of this.#source.runningCameraIds) {
      const snapshot = this.#source.snapshot(cameraId);
      if (!snapshot || (this.#published.get(cameraId) ?? -Infinity) >= snapshot.takenAtMs) continue;
      this.#published.set(cameraId, snapshot.takenAtMs);
      // QoS 0: the next one follows in a few seconds; a lost picture is not worth a retransmission.
      this.#client.publish(snapshotTopic(cameraId), encodeSnapshot(snapshot), { qos: 0, retain: true });
      sent += 1;
    }
    return sent;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#client.endAsync();
  }
}

/** On an API node: the latest snapshot of each configured camera, as the workers published them. */
export class SnapshotCache {
  readonly #client: MqttClient;
  readonly #latest = new Map<string, CameraSnapshot>();
  readonly #cameraIds: ReadonlySet<string>;
  readonly #logger: Logger;

  constructor(options: { brokerUrl: string; clientId: string; cameraIds: readonly string[]; logger: Logger }) {
    this.#cameraIds = new Set(options.cameraIds);
    this.#logger = options.logger.child({ module: 'snapshot-cache' });
    this.#client = mqtt.connect(options.brokerUrl, { clientId: options.clientId, reconnectPeriod: 1000, clean: true });
    this.#client.on('connect', () => this.#client.subscribe(SNAPSHOT_TOPIC_FILTER, { qos: 0 }));
    this.#client.on('message', (topic, payload) => this.#receive(topic, payload));
    this.#client.on('error', (err) => this.#logger.warn({ err }, 'snapshot cache connection error'));
  }

  #receive(topic: string, payload: Buffer): void {
    const cameraId = cameraIdOfSnapshotTopic(topic);
    // Only configured cameras: a stray publisher cannot make the node hold pictures without bound.
    if (!cameraId || !this.#cameraIds.has(cameraId)) return;
    const snapshot = decodeSnapshot(payload);
    if (!snapshot) {
      this.#logger.warn({ cameraId, bytes: payload.length }, 'snapshot message is not a time and a JPEG; ignored');
      return;
    }
    const previous = this.#latest.get(cameraId);
    // Copied out of the MQTT packet buffer, and never replaced by an older picture (a retained one from before).
    if (!previous || previous.takenAtMs <= snapshot.takenAtMs) this.#latest.set(cameraId, { jpeg: Buffer.from(snapshot.jpeg), takenAtMs: snapshot.takenAtMs });
  }

  get(cameraId: string): CameraSnapshot | undefined {
    return this.#latest.get(cameraId);
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}
