import type { Logger } from 'pino';
import type { Device } from '@ioc/schemas';
import type { DeviceSource } from '../ports';
import type { DeviceLookup } from './reading-validator';

export interface DeviceRegistryOptions {
  repository: DeviceSource;
  logger: Logger;
  /**
   * Refresh-on-miss runs at most this often, so a flood of readings for unknown ids costs one `list()` per
   * interval, not one per reading. Default 2000 ms.
   */
  minMissRefreshIntervalMs?: number;
  now?: () => number;
}

/**
 * The registered devices, held in memory so that validating a reading never waits on the database.
 *
 * How a device registered while running gets accepted: refresh on miss. When a batch names a device we do not
 * know, or a property a known device does not measure, ingest asks `refreshOnMiss()`, which reloads the list
 * (at most once per `minMissRefreshIntervalMs`, one load shared by concurrent callers) and validates again.
 * So a new device is accepted on its first reading after it is registered, within that interval, without
 * polling the database while nothing changes. `start(intervalMs)` adds a slow periodic refresh for the changes
 * a miss does not reveal (a device removed, or one that stops measuring a property).
 */
export class DeviceRegistry implements DeviceLookup {
  readonly #repository: DeviceSource;
  readonly #logger: Logger;
  readonly #minMissRefreshIntervalMs: number;
  readonly #now: () => number;
  #devices = new Map<string, Device>();
  #inFlight: Promise<void> | undefined;
  #lastRefreshStartedMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DeviceRegistryOptions) {
    this.#repository = options.repository;
    this.#logger = options.logger.child({ module: 'device-registry' });
    this.#minMissRefreshIntervalMs = options.minMissRefreshIntervalMs ?? 2000;
    this.#now = options.now ?? Date.now;
  }

  /** Reloads every device. Rejects when the repository fails (the previous list stays in use). */
  refresh(): Promise<void> {
    // Concurrent callers share one load: a burst of misses must not become a burst of queries.
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #load(): Promise<void> {
    this.#lastRefreshStartedMs = this.#now();
    const devices = await this.#repository.list();
    const previousCount = this.#devices.size;
    this.#devices = new Map(devices.map((device) => [device.id, device]));
    if (devices.length !== previousCount) this.#logger.info({ devices: devices.length }, 'device registry loaded');
  }

  /**
   * Refreshes unless the last refresh started less than `minMissRefreshIntervalMs` ago (then waits for one in
   * flight, if any). Resolves true when the list may have changed. Never rejects: a failure is logged.
   */
  async refreshOnMiss(): Promise<boolean> {
    if (this.#inFlight) {
      await this.#inFlight.catch(() => undefined);
      return true;
    }
    if (this.#now() - this.#lastRefreshStartedMs < this.#minMissRefreshIntervalMs) return false;
    try {
      await this.refresh();
      return true;
    } catch (err) {
      this.#logger.warn({ err }, 'device refresh failed; using the devices loaded before');
      return false;
    }
  }

  get(deviceId: string): Device | undefined {
    return this.#devices.get(deviceId);
  }

  has(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  get size(): number {
    return this.#devices.size;
  }

  /** Refreshes every `intervalMs` in the background (failures are logged) until `stop()`. */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.#logger.warn({ err }, 'periodic device refresh failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
