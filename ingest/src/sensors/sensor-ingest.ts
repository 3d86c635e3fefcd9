import type { Logger } from 'pino';
import { iocError, type ReadingBatchResult, type StoredReading } from '@ioc/schemas';
import type { BusPublisher, DeviceReport, DeviceSource, DeviceStateSink, ReadingSink } from '../ports';
import type { DeviceRegistry } from './device-registry';
import { ReadingValidator, type ReadingTimeLimits, type ReadingVerdict } from './reading-validator';

/** Where a batch came from; MQTT names the device in the topic, so its items carry no `deviceId`. */
export interface ReadingBatchContext {
  source: 'http' | 'mqtt';
  deviceId?: string;
}

export interface SensorIngestOptions {
  registry: DeviceRegistry;
  writer: Pick<ReadingSink, 'writeReadings'>;
  bus: BusPublisher;
  /** When it can record `dateLastValueReported` (has `markValuesReported`), ingest keeps it up to date. */
  deviceRepository?: DeviceSource & Partial<DeviceStateSink>;
  config: { ingest: ReadingTimeLimits };
  logger: Logger;
  /** How often last-reported times are written, coalesced per device. Default 5000 ms. */
  reportFlushIntervalMs?: number;
  now?: () => number;
}

/** Rejections that a registry refresh may cure: the device or its property was registered a moment ago. */
const REGISTRY_CODES = new Set(['IOC_ERR_UNKNOWN_DEVICE', 'IOC_ERR_PROPERTY_NOT_CONTROLLED']);

/**
 * The one door for sensor readings, whatever the transport: validates each item, makes the valid ones durable
 * through the writer, then announces them on the bus. An invalid item never costs its valid neighbours: they
 * are written and the invalid ones are reported by index.
 */
export class SensorIngest {
  readonly #registry: DeviceRegistry;
  readonly #writer: Pick<ReadingSink, 'writeReadings'>;
  readonly #bus: BusPublisher;
  readonly #deviceStateSink: DeviceStateSink | undefined;
  readonly #validator: ReadingValidator;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** deviceId → newest observation time not yet recorded as `dateLastValueReported`. */
  readonly #pendingReports = new Map<string, number>();
  #reportTimer: NodeJS.Timeout | undefined;
  #reportFlush: Promise<void> | undefined;
  #closing = false;

  constructor(options: SensorIngestOptions) {
    this.#registry = options.registry;
    this.#writer = options.writer;
    this.#bus = options.bus;
    this.#logger = options.logger.child({ module: 'sensor-ingest' });
    this.#validator = new ReadingValidator({ devices: options.registry, limits: options.config.ingest, ...(options.now ? { now: options.now } : {}) });
    const repository = options.deviceRepository;
    if (repository && typeof repository.markValuesReported === 'function') {
      const markValuesReported = repository.markValuesReported.bind(repository);
      this.#deviceStateSink = { markValuesReported };
      this.#reportTimer = setInterval(() => void this.#flushReports(), options.reportFlushIntervalMs ?? 5000);
      this.#reportTimer.unref();
    }
  }

  /**
   * Validates and stores a batch. Resolves once the accepted readings are durable (database or outbox) and
   * published; rejects only when the writer fails (nothing of this batch is then reported as accepted) or
   * when ingest is shutting down.
   */
  acceptBatch(items: readonly unknown[], context: ReadingBatchContext): Promise<ReadingBatchResult> {
    if (this.#closing) return Promise.reject(iocError('IOC_ERR_SHUTTING_DOWN', 'Sensor ingest is shutting down; send the readings again to another node or later.'));
    const task = this.#accept(items, context);
    this.#inFlight.add(task);
    void task.then(
      () => this.#inFlight.delete(task),
      () => this.#inFlight.delete(task),
    );
    return task;
  }

  async #accept(items: readonly unknown[], context: ReadingBatchContext): Promise<ReadingBatchResult> {
    const verdicts: ReadingVerdict[] = items.map((item) => this.#validator.validate(item, context.deviceId));
    const curable = verdicts.some((verdict) => !verdict.ok && REGISTRY_CODES.has(verdict.rejection.code));
    if (curable && (await this.#registry.refreshOnMiss())) {
      verdicts.forEach((verdict, index) => {
        if (!verdict.ok && REGISTRY_CODES.has(verdict.rejection.code)) verdicts[index] = this.#validator.validate(items[index], context.deviceId);
      });
    }

    const readings: StoredReading[] = [];
    const rejected: ReadingBatchResult['rejected'] = [];
    verdicts.forEach((verdict, index) => {
      if (verdict.ok) readings.push(verdict.reading);
      else rejected.push({ index, code: verdict.rejection.code, issues: verdict.rejection.issues });
    });

    if (readings.length > 0) {
      await this.#writer.writeReadings(readings);
      try {
        this.#bus.publish({ kind: 'readings', readings });
      } catch (err) {
        // The readings are durable; a live subscriber's failure must not turn them into an error for the sender.
        this.#logger.error({ err }, 'publishing readings on the bus failed');
      }
      if (this.#deviceStateSink) this.#noteReports(readings);
    }
    this.#logger.debug({ source: context.source, deviceId: context.deviceId, accepted: readings.length, rejected: rejected.length }, 'reading batch');
    return { accepted: readings.length, rejected };
  }

  #noteReports(readings: readonly StoredReading[]): void {
    for (const reading of readings) {
      const pending = this.#pendingReports.get(reading.deviceId);
      if (pending === undefined || reading.observedAtMs > pending) this.#pendingReports.set(reading.deviceId, reading.observedAtMs);
    }
  }

  #flushReports(): Promise<void> {
    if (!this.#deviceStateSink || this.#pendingReports.size === 0) return this.#reportFlush ?? Promise.resolve();
    if (this.#reportFlush) return this.#reportFlush;
    const reports: DeviceReport[] = [...this.#pendingReports].map(([deviceId, reportedAtMs]) => ({ deviceId, reportedAtMs }));
    this.#pendingReports.clear();
    this.#reportFlush = this.#deviceStateSink
      .markValuesReported(reports)
      .catch((err: unknown) => this.#logger.warn({ err, devices: reports.length }, 'recording last reported times failed'))
      .finally(() => {
        this.#reportFlush = undefined;
      });
    return this.#reportFlush;
  }

  /** Refuses new batches, waits for those in flight and records the last reported times. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#inFlight]);
    if (this.#reportTimer) clearInterval(this.#reportTimer);
    this.#reportTimer = undefined;
    await this.#reportFlush; // one already under way (it never rejects)
    await this.#flushReports();
  }
}
