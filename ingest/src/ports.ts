import type { BusMessage, Device, StoredReading, TrafficFlowObserved } from '@ioc/schemas';

/**
 * What ingest needs from the store and the bus, declared here as small structural interfaces so that ingest
 * can be built and tested on its own. The store's classes satisfy them without naming them:
 * `BatchWriter` is a `ReadingSink`, `DeviceRepository` a `DeviceSource`, `LocalBus`/`MqttBus` a `BusPublisher`.
 */

/** One message that could not be accepted, kept with its reason so an operator can see what a sensor sent. */
export interface DeadLetterRow {
  receivedAtMs: number;
  /** Where it came from: `mqtt` or `http`. */
  source: string;
  /** The MQTT topic, or null for other sources. */
  topic: string | null;
  /** The raw payload as UTF-8 text, or `base64:` followed by its bytes when it is not text. */
  payload: string;
  /** An `IOC_ERR_*` code. */
  code: string;
  /** What was wrong, naming the field path. */
  reason: string;
}

/** Durable writes: each promise resolves once the rows are in the database or in the on-disk outbox. */
export interface ReadingSink {
  writeReadings(rows: StoredReading[]): Promise<void>;
  writeDeadLetters(rows: DeadLetterRow[]): Promise<void>;
}

/** The registered devices (the store's `DeviceRepository`). */
export interface DeviceSource {
  list(): Promise<Device[]>;
}

/** When each device last reported a value (Smart Data Models `dateLastValueReported`). */
export interface DeviceReport {
  deviceId: string;
  reportedAtMs: number;
}

/**
 * Optional: a device repository that records `dateLastValueReported`. Ingest calls it when present, after the
 * readings are durable; a failure there is logged and never rejects readings.
 */
export interface DeviceStateSink {
  markValuesReported(reports: DeviceReport[]): Promise<void>;
}

/** The live bus (the store's `Bus`): fire-and-forget, not durable; the store is the record. */
export interface BusPublisher {
  publish(message: BusMessage): void;
}

/** Per-minute camera counts (the store's traffic-flow writer): idempotent on the rows' natural key. */
export interface TrafficFlowSink {
  writeTrafficFlows(rows: TrafficFlowObserved[]): Promise<void>;
}

/** Where a camera's own `Device` record (state, last frame) is kept. */
export interface CameraDeviceSink {
  upsert(devices: Device[]): Promise<void>;
}
