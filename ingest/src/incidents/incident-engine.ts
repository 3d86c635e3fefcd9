import type { Logger } from 'pino';
import { isConnectionError } from '@ioc/store';
import type { Alert, BusMessage, IncidentRule, TrafficFlowObserved } from '@ioc/schemas';
import type { BusPublisher, DeviceSource, TrafficFlowSink } from '../ports';
import {
  INITIAL_CONGESTION_STATE,
  DEFAULT_CONGESTION,
  THRESHOLD_RULES,
  cameraStateSignal,
  checkOffline,
  congestionUpdater,
  evaluateThreshold,
  severityRank,
  summariseFlowMinutes,
  type CongestionSpec,
  type CongestionState,
  type DeviceInfo,
  type IncidentSignal,
} from './incident-rules';

/** What the engine needs from the store (the store's `AlertRepository` fits). */
export interface IncidentAlertStore {
  raise(incident: { alert: Alert; rule: IncidentRule; dedupeKey: string; deviceId: string }): Promise<{ created: boolean; record: { alert: Alert } }>;
  update(alert: Alert): Promise<unknown>;
  close(dedupeKey: string, closedAtMs: number): Promise<{ alert: Alert } | undefined>;
  openIncidents(): Promise<Array<{ alert: Alert; rule: IncidentRule; dedupeKey: string; deviceId: string }>>;
}

export interface IncidentEngineOptions {
  alerts: IncidentAlertStore;
  /** Raised, escalated and cleared alerts are published here (`{kind: 'alert'}`) for the wall. */
  bus: BusPublisher;
  devices: DeviceSource;
  logger: Logger;
  nowMs?: () => number;
  /** How often silent sensors are looked for (default 15 s); the device list is re-read every 4th check. */
  offlineCheckIntervalMs?: number;
  congestion?: Partial<CongestionSpec>;
}

export const incidentKey = (rule: IncidentRule, deviceId: string): string => `${rule}:${deviceId}`;

/**
 * Turns the rules' signals into Smart Data Models `Alert`s: one open alert per rule and device while the
 * condition lasts (a repeated signal changes nothing, a stronger severity updates it), closed with `validTo`
 * when it clears. Decisions are taken synchronously on the in-memory state; writes to the store run one at
 * a time in that order, and the store's partial unique index keeps the promise across processes.
 */
export class IncidentEngine {
  readonly #options: IncidentEngineOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #congestionSpec: CongestionSpec;
  readonly #open = new Map<string, Alert>();
  readonly #devices = new Map<string, DeviceInfo>();
  readonly #lastReportMs = new Map<string, number>();
  readonly #congestion = new Map<string, CongestionState>();
  #sinceMs = 0;
  #queue: Promise<void> = Promise.resolve();
  /** Set while the store cannot be reached: one warning per outage rather than one error per signal. */
  #storeUnreachable = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #checks = 0;

  constructor(options: IncidentEngineOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'incidents' });
    this.#now = options.nowMs ?? Date.now;
    this.#congestionSpec = { ...DEFAULT_CONGESTION, ...options.congestion };
  }

  /** Loads devices and the incidents left open, subscribes to the bus and starts the offline check. */
  async start(subscribe?: (handler: (message: BusMessage) => void) => () => void): Promise<void> {
    this.#sinceMs = this.#now();
    await this.refreshDevices();
    for (const device of await this.#options.devices.list()) {
      const reportedMs = device.dateLastValueReported ? Date.parse(device.dateLastValueReported) : undefined;
      if (reportedMs !== undefined) this.#lastReportMs.set(device.id, reportedMs);
    }
    for (const incident of await this.#options.alerts.openIncidents()) {
      this.#open.set(incident.dedupeKey, incident.alert);
      if (incident.rule === 'congestion') this.#congestion.set(incident.deviceId, { ...INITIAL_CONGESTION_STATE, open: true });
    }
    if (subscribe) this.#unsubscribe = subscribe((message) => this.handle(message));
    const intervalMs = this.#options.offlineCheckIntervalMs ?? 15_000;
    this.#timer = setInterval(() => {
      this.#checks += 1;
      const refresh = this.#checks % 4 === 0 ? this.refreshDevices() : Promise.resolve();
      refresh.then(
        () => this.checkOffline(),
        (err: unknown) => this.#log.warn({ err }, 'device list refresh failed'),
      );
    }, intervalMs);
    this.#timer.unref();
    this.#log.info({ openIncidents: this.#open.size, devices: this.#devices.size }, 'incident engine started');
  }

  async refreshDevices(): Promise<void> {
    for (const device of await this.#options.devices.list()) this.#devices.set(device.id, device);
  }

  /** One bus message: readings feed thresholds and mark devices alive; camera state changes feed cameraOffline. */
  handle(message: BusMessage): void {
    if (message.kind === 'readings') {
      const ordered = [...message.readings].sort((a, b) => a.observedAtMs - b.observedAtMs);
      for (const reading of ordered) {
        const previous = this.#lastReportMs.get(reading.deviceId) ?? Number.NEGATIVE_INFINITY;
        if (reading.observedAtMs > previous) this.#lastReportMs.set(reading.deviceId, reading.observedAtMs);
        if (this.#open.has(incidentKey('deviceOffline', reading.deviceId))) this.#apply({ rule: 'deviceOffline', deviceId: reading.deviceId, active: false, atMs: reading.observedAtMs });
        const device = this.#devices.get(reading.deviceId);
        for (const rule of THRESHOLD_RULES) {
          const signal = evaluateThreshold(rule, reading, device, this.#open.has(incidentKey(rule.rule, reading.deviceId)));
          if (signal) this.#apply(signal);
        }
      }
    } else if (message.kind === 'deviceState') {
      const signal = cameraStateSignal(message.change, this.#devices.get(message.change.deviceId));
      if (signal) this.#apply(signal);
    } else if (message.kind === 'trafficFlows') {
      // Split mode: minutes stored by the workers that run the cameras (this one included, through the broker).
      this.observeTrafficFlows(message.rows);
    }
  }

  /** Closed camera-minutes (what the camera pipeline writes); see `teeTrafficFlows`. */
  observeTrafficFlows(rows: readonly TrafficFlowObserved[]): void {
    for (const minute of summariseFlowMinutes(rows)) {
      const state = this.#congestion.get(minute.deviceId) ?? INITIAL_CONGESTION_STATE;
      const result = congestionUpdater(state, minute, this.#devices.get(minute.deviceId), this.#congestionSpec);
      this.#congestion.set(minute.deviceId, result.state);
      if (result.signal) this.#apply(result.signal);
    }
  }

  /** Sensors silent for 3× their report interval are offline. Runs on the timer; callable for tests. */
  checkOffline(nowMs = this.#now()): Promise<void> {
    for (const signal of checkOffline(this.#devices.values(), this.#lastReportMs, nowMs, this.#sinceMs)) this.#apply(signal);
    return this.idle();
  }

  /** Resolves when every decision so far is written (and published). */
  idle(): Promise<void> {
    return this.#queue;
  }

  get openCount(): number {
    return this.#open.size;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.idle();
  }

  #apply(signal: IncidentSignal): void {
    const key = incidentKey(signal.rule, signal.deviceId);
    const open = this.#open.get(key);
    if (signal.active) {
      const severity = signal.severity ?? 'medium';
      if (!open) {
        const alert = this.#alertOf(signal, severity);
        this.#open.set(key, alert);
        this.#enqueue(async () => {
          let result: Awaited<ReturnType<IncidentAlertStore['raise']>>;
          try {
            result = await this.#options.alerts.raise({ alert, rule: signal.rule, dedupeKey: key, deviceId: signal.deviceId });
          } catch (err) {
            // Not stored: forget it, so that the next signal tries again.
            if (this.#open.get(key) === alert) this.#open.delete(key);
            throw err;
          }
          if (this.#open.get(key) === alert) this.#open.set(key, result.record.alert);
          if (result.created) {
            this.#log.info({ alertId: alert.id, rule: signal.rule, deviceId: signal.deviceId, severity }, 'incident raised');
            this.#publish(result.record.alert);
          }
        });
      } else if (severityRank(severity) > severityRank(open.severity)) {
        // Escalate only: a condition easing off within its band keeps the severity it reached.
        const escalated: Alert = { ...open, severity, dateModified: new Date(signal.atMs).toISOString(), ...(signal.description ? { description: signal.description } : {}) };
        this.#open.set(key, escalated);
        this.#enqueue(async () => {
          await this.#options.alerts.update(escalated);
          this.#publish(escalated);
        });
      }
    } else if (open) {
      this.#open.delete(key);
      this.#enqueue(async () => {
        const closed = await this.#options.alerts.close(key, Math.max(signal.atMs, Date.parse(open.dateIssued)));
        if (closed) {
          this.#log.info({ alertId: closed.alert.id, rule: signal.rule, deviceId: signal.deviceId }, 'incident cleared');
          this.#publish(closed.alert);
        }
      });
    }
  }

  #alertOf(signal: IncidentSignal, severity: Alert['severity']): Alert {
    const device = this.#devices.get(signal.deviceId);
    const issued = new Date(signal.atMs).toISOString();
    return {
      id: `${signal.rule}-${signal.deviceId}-${signal.atMs}`,
      type: 'Alert',
      category: signal.category ?? 'security',
      subCategory: signal.subCategory ?? 'deviceOffline',
      severity,
      dateIssued: issued,
      validFrom: issued,
      ...(signal.description ? { description: signal.description } : {}),
      ...(device ? { location: device.location } : {}),
      ...(device?.districtCode ? { districtCode: device.districtCode } : {}),
      alertSource: signal.deviceId,
    };
  }

  #publish(alert: Alert): void {
    try {
      this.#options.bus.publish({ kind: 'alert', alert });
    } catch (err) {
      this.#log.warn({ err, alertId: alert.id }, 'alert not published on the bus');
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(task)
      .then(() => {
        if (!this.#storeUnreachable) return;
        this.#storeUnreachable = false;
        this.#log.info('incidents are stored again');
      })
      .catch((err: unknown) => {
        if (!isConnectionError(err)) {
          this.#log.error({ err }, 'incident not stored');
          return;
        }
        // A signal that could not be stored is forgotten and raised again by the next one (the condition holds).
        if (this.#storeUnreachable) return;
        this.#storeUnreachable = true;
        this.#log.warn({ err }, 'incidents cannot be stored while the database is unreachable; each is raised again by its next signal');
      });
  }
}

/** A traffic-flow sink that also feeds the engine's congestion rule once the rows are written. */
export function teeTrafficFlows(sink: TrafficFlowSink, engine: Pick<IncidentEngine, 'observeTrafficFlows'>): TrafficFlowSink {
  return {
    writeTrafficFlows: async (rows) => {
      await sink.writeTrafficFlows(rows);
      engine.observeTrafficFlows(rows);
    },
  };
}
