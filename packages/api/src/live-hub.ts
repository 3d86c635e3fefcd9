import { randomBytes } from 'node:crypto';
import {
  SCHEMA_VERSION,
  formatEventId,
  parseEventId,
  type BusMessage,
  type Device,
  type LiveDevice,
  type LiveEvent,
  type Site,
  type StoredReading,
  type WallSnapshot,
} from '@ioc/schemas';

type History = WallSnapshot['history'];

export interface LiveHubOptions {
  historyMinutes: number;
  replayBufferEvents: number;
  nowMs?: () => number;
  /** Fixed epoch for tests; otherwise random per process start. */
  epoch?: string;
}

export type ReplayResult =
  | { ok: true; events: LiveEvent[] }
  | { ok: false; reason: 'unknownEpoch' | 'tooFarBehind' };

/**
 * The live state of one API node: the latest value of every device and property, a rolling history window,
 * and the numbered events it has seen. Snapshots and event numbering happen on one thread, so a snapshot's
 * `lastEventId` is exactly the last event its state includes: a client that applies the events after it sees
 * every change once.
 */
export class LiveHub {
  readonly epoch: string;
  #sequence = 0;
  #site: Site;
  readonly #devices = new Map<string, LiveDevice>();
  readonly #history: History = {};
  /** Ring of the last events, oldest first; `#ring[i]` has sequence `#ringFirstSequence + i`. */
  #ring: LiveEvent[] = [];
  #ringFirstSequence = 1;
  readonly #options: Required<Omit<LiveHubOptions, 'epoch'>>;
  readonly #listeners = new Set<(event: LiveEvent) => void>();

  constructor(site: Site, options: LiveHubOptions) {
    this.#site = site;
    this.epoch = options.epoch ?? `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    this.#options = { historyMinutes: options.historyMinutes, replayBufferEvents: options.replayBufferEvents, nowMs: options.nowMs ?? Date.now };
  }

  get lastEventId(): string {
    return formatEventId(this.epoch, this.#sequence);
  }

  get lastSequence(): number {
    return this.#sequence;
  }

  /** Initial state from the store (before or after subscribing to the bus: readings only move forward). */
  load(devices: Device[], latest: StoredReading[], recent: StoredReading[]): void {
    for (const device of devices) this.#devices.set(device.id, { device, latest: this.#devices.get(device.id)?.latest ?? {} });
    for (const reading of recent) this.#appendHistory(reading);
    for (const reading of latest) this.#applyLatest(reading);
    this.#trimHistory();
  }

  setSite(site: Site): void {
    this.#site = site;
  }

  hasDevice(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  upsertDevice(device: Device): void {
    const existing = this.#devices.get(device.id);
    this.#devices.set(device.id, { device, latest: existing?.latest ?? {} });
  }

  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Numbers a bus message, applies it to the state and keeps it for replay; undefined for worker-only messages. */
  receive(message: BusMessage): LiveEvent | undefined {
    if (message.kind === 'trafficFlows') return undefined;
    this.#sequence += 1;
    const envelope = { id: formatEventId(this.epoch, this.#sequence), time: new Date(this.#options.nowMs()).toISOString(), schemaVersion: SCHEMA_VERSION };
    let event: LiveEvent;
    switch (message.kind) {
      case 'readings':
        for (const reading of message.readings) {
          this.#applyLatest(reading);
          this.#appendHistory(reading);
        }
        event = { ...envelope, type: 'sensor.readings', readings: message.readings };
        break;
      case 'deviceState': {
        const live = this.#devices.get(message.change.deviceId);
        if (live) live.device = { ...live.device, deviceState: message.change.deviceState };
        event = { ...envelope, type: 'device.state', change: message.change };
        break;
      }
      case 'alert':
        event = { ...envelope, type: 'alert.raised', alert: message.alert };
        break;
      case 'cameraHealth': {
        // The camera's Device (when the node knows it) follows its pipeline's state and last frame.
        const live = this.#devices.get(message.health.cameraId);
        if (live) {
          const lastFrameAtMs = message.health.lastFrameAtMs;
          live.device = { ...live.device, deviceState: message.health.deviceState, ...(lastFrameAtMs ? { dateLastValueReported: new Date(lastFrameAtMs).toISOString() } : {}) };
        }
        event = { ...envelope, type: 'camera.health', health: message.health };
        break;
      }
      case 'cameraCounts':
        event = { ...envelope, type: 'camera.counts', counts: message.counts };
        break;
    }
    this.#ring.push(event);
    if (this.#ring.length > this.#options.replayBufferEvents * 2) this.#compactRing();
    if (this.#sequence % 1000 === 0) this.#trimHistory();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** The events after `eventId`, or why the client must take a new snapshot. */
  eventsAfter(eventId: string): ReplayResult {
    const parsed = parseEventId(eventId);
    if (!parsed || parsed.epoch !== this.epoch || parsed.sequence > this.#sequence) return { ok: false, reason: 'unknownEpoch' };
    if (parsed.sequence + 1 < this.#ringFirstSequence) return { ok: false, reason: 'tooFarBehind' };
    return { ok: true, events: this.#ring.slice(parsed.sequence + 1 - this.#ringFirstSequence) };
  }

  snapshot(): WallSnapshot {
    this.#trimHistory();
    return {
      id: this.lastEventId,
      type: 'wall.snapshot',
      time: new Date(this.#options.nowMs()).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      lastEventId: this.lastEventId,
      site: this.#site,
      devices: [...this.#devices.values()].map((live) => ({ device: live.device, latest: { ...live.latest } })),
      history: Object.fromEntries(
        Object.entries(this.#history).map(([deviceId, byProperty]) => [
          deviceId,
          Object.fromEntries(Object.entries(byProperty).map(([property, points]) => [property, points ? points.slice() : []])),
        ]),
      ),
      historyMinutes: this.#options.historyMinutes,
    };
  }

  #applyLatest(reading: StoredReading): void {
    let live = this.#devices.get(reading.deviceId);
    if (!live) return; // a reading of a device this node does not know yet: the next device refresh brings it
    const current = live.latest[reading.property];
    if (!current || current.observedAtMs <= reading.observedAtMs) {
      live = live as LiveDevice;
      live.latest[reading.property] = { value: reading.value, observedAtMs: reading.observedAtMs };
      const lastReported = live.device.dateLastValueReported ? Date.parse(live.device.dateLastValueReported) : 0;
      if (reading.observedAtMs > lastReported) live.device = { ...live.device, dateLastValueReported: new Date(reading.observedAtMs).toISOString() };
    }
  }

  #appendHistory(reading: StoredReading): void {
    const byProperty = (this.#history[reading.deviceId] ??= {});
    const points = (byProperty[reading.property] ??= []);
    const last = points[points.length - 1];
    if (!last || last[0] < reading.observedAtMs) {
      points.push([reading.observedAtMs, reading.value]);
      return;
    }
    // Out of order (late or replayed reading): insert in place, replacing an equal timestamp (idempotent).
    let index = points.length - 1;
    while (index >= 0 && (points[index] as [number, number])[0] > reading.observedAtMs) index -= 1;
    if (index >= 0 && (points[index] as [number, number])[0] === reading.observedAtMs) points[index] = [reading.observedAtMs, reading.value];
    else points.splice(index + 1, 0, [reading.observedAtMs, reading.value]);
  }

  #trimHistory(): void {
    const cutoffMs = this.#options.nowMs() - this.#options.historyMinutes * 60_000;
    for (const byProperty of Object.values(this.#history)) {
      for (const points of Object.values(byProperty)) {
        if (!points) continue;
        let drop = 0;
        while (drop < points.length && (points[drop] as [number, number])[0] < cutoffMs) drop += 1;
        if (drop > 0) points.splice(0, drop);
      }
    }
  }

  #compactRing(): void {
    const drop = this.#ring.length - this.#options.replayBufferEvents;
    this.#ring = this.#ring.slice(drop);
    this.#ringFirstSequence += drop;
  }
}
