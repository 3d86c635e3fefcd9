import {
  SENSOR_PROPERTIES,
  levelOf,
  parseEventId,
  type Alert,
  type CameraHealth,
  type CameraLineCounts,
  type LiveDevice,
  type LiveEvent,
  type SensorProperty,
  type Site,
  type WallDeltaBatch,
  type WallSnapshot,
} from '@ioc/schemas';
import { initialViolationLog, recordViolations, type ViolationLog } from './violations';

/**
 * The wall's state and the pure updaters that move it (kepler.gl style: `updater(state, input) → new state`,
 * never mutating). No DOM here: the connection feeds these from socket.io and React reads the result.
 */

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type ResyncReason = 'gap' | 'epoch' | 'server' | 'unknownDevice';

/** [observedAtMs, value], oldest first. */
export type Point = readonly [number, number];
export type DeviceHistory = Partial<Record<SensorProperty, readonly Point[]>>;

export interface WallState {
  status: ConnectionStatus;
  statusSinceMs: number;
  /** Id of the last event the state includes (from the snapshot, then from applied deltas). */
  lastEventId: string | undefined;
  epoch: string | undefined;
  sequence: number;
  /** Set on a gap, an epoch change or a server's request; deltas are ignored until the next snapshot. */
  needsResync: ResyncReason | undefined;
  site: Site | undefined;
  /** Device ids in snapshot order, so layers and chart series keep a stable order. */
  deviceIds: readonly string[];
  devices: Readonly<Record<string, LiveDevice>>;
  history: Readonly<Record<string, DeviceHistory>>;
  historyMinutes: number;
  /** Latest alerts, newest first, at most MAX_ALERTS. */
  alerts: readonly Alert[];
  /** Traffic violations since the wall started: map points with their age, today's counts by rule and district. */
  violations: ViolationLog;
  /** When the last snapshot, delta batch or heartbeat arrived (client clock). */
  lastMessageAtMs: number | undefined;
  snapshotAtMs: number | undefined;
  /** Bumped whenever device values or history change, for cheap change detection in views. */
  dataVersion: number;
  /**
   * A reading or state change named a device the snapshot did not have (registered since). Not a gap: the
   * events are still applied; the connection takes a new snapshot when it next may (rate-limited).
   */
  unknownDeviceSeen: boolean;
  /**
   * What the cameras pushed over the socket (`camera.counts`, `camera.health`), by camera id: newer than the
   * 5-second REST poll of `/api/v1/cameras`, which stays the source of the camera list and positions.
   */
  cameraLive: Readonly<Record<string, CameraLive>>;
}

export interface CameraLive {
  /** Counts since the camera's pipeline started, per line and vehicle type, as of `countsAtMs`. */
  totals?: CameraLineCounts;
  countsAtMs?: number;
  health?: CameraHealth;
}

export const MAX_ALERTS = 20;
/** Hard cap per series whatever the time window, so a chatty sensor cannot grow memory without bound. */
export const MAX_POINTS_PER_SERIES = 3600;

export function initialWallState(nowMs: number): WallState {
  return {
    status: 'connecting',
    statusSinceMs: nowMs,
    lastEventId: undefined,
    epoch: undefined,
    sequence: 0,
    needsResync: undefined,
    site: undefined,
    deviceIds: [],
    devices: {},
    history: {},
    historyMinutes: 60,
    alerts: [],
    violations: initialViolationLog(nowMs),
    lastMessageAtMs: undefined,
    snapshotAtMs: undefined,
    dataVersion: 0,
    unknownDeviceSeen: false,
    cameraLive: {},
  };
}

/** Replaces everything the server owns with the snapshot; keeps the connection status. */
export function applySnapshot(state: WallState, snapshot: WallSnapshot, nowMs: number): WallState {
  const parsed = parseEventId(snapshot.lastEventId);
  const devices: Record<string, LiveDevice> = {};
  const deviceIds: string[] = [];
  for (const live of snapshot.devices) {
    if (!(live.device.id in devices)) deviceIds.push(live.device.id);
    devices[live.device.id] = live;
  }
  const history: Record<string, DeviceHistory> = {};
  for (const [deviceId, byProperty] of Object.entries(snapshot.history)) {
    const copy: DeviceHistory = {};
    for (const [property, points] of Object.entries(byProperty)) {
      if (!points || !(property in SENSOR_PROPERTIES)) continue;
      copy[property as SensorProperty] = trimSeries(
        [...points].sort((a, b) => a[0] - b[0]),
        snapshot.historyMinutes,
      );
    }
    history[deviceId] = copy;
  }
  return {
    ...state,
    lastEventId: snapshot.lastEventId,
    epoch: parsed?.epoch,
    sequence: parsed?.sequence ?? 0,
    needsResync: parsed ? undefined : 'epoch',
    site: snapshot.site,
    deviceIds,
    devices,
    history,
    historyMinutes: snapshot.historyMinutes,
    lastMessageAtMs: nowMs,
    snapshotAtMs: nowMs,
    dataVersion: state.dataVersion + 1,
    unknownDeviceSeen: false,
    // Camera counters restart with the server (another epoch); within one epoch they only grow.
    cameraLive: parsed?.epoch === state.epoch ? state.cameraLive : {},
  };
}

export interface DeltaOptions {
  /**
   * While the server repositions a socket after a new snapshot it may still send a batch cut for the old
   * position; such a batch is dropped rather than treated as a gap (the replay that follows covers it).
   */
  dropGaps?: boolean;
}

/**
 * Applies the events after the state's last event id, exactly once: events at or before it are skipped
 * (replays, overlapping batches); a gap or another epoch flags `needsResync` and stops applying.
 * An empty batch is a heartbeat: it only proves the link is alive.
 */
export function applyDeltaBatch(state: WallState, batch: WallDeltaBatch, nowMs: number, options: DeltaOptions = {}): WallState {
  if (state.needsResync || state.epoch === undefined) return state;
  let next: WallState = { ...state, lastMessageAtMs: nowMs };
  const after = parseEventId(batch.afterEventId);
  if (!after || after.epoch !== state.epoch) return { ...next, needsResync: 'epoch' };
  if (after.sequence > state.sequence) return options.dropGaps ? next : { ...next, needsResync: 'gap' };

  let changed = false;
  for (const event of batch.events) {
    const id = parseEventId(event.id);
    if (!id || id.epoch !== state.epoch) return { ...next, needsResync: 'epoch', dataVersion: next.dataVersion + (changed ? 1 : 0) };
    if (id.sequence <= next.sequence) continue;
    if (id.sequence !== next.sequence + 1) {
      if (options.dropGaps) break;
      return { ...next, needsResync: 'gap', dataVersion: next.dataVersion + (changed ? 1 : 0) };
    }
    next = applyEvent(next, event);
    next.sequence = id.sequence;
    next.lastEventId = event.id;
    changed = true;
  }
  return changed ? { ...next, dataVersion: next.dataVersion + 1 } : next;
}

/** One event onto a state object the caller already copied at the top level. */
function applyEvent(state: WallState, event: LiveEvent): WallState {
  switch (event.type) {
    case 'sensor.readings': {
      // Copy-on-first-write: a batch of many readings copies each map once.
      let devices: Record<string, LiveDevice> | undefined;
      let history: Record<string, DeviceHistory> | undefined;
      for (const reading of event.readings) {
        const live = (devices ?? state.devices)[reading.deviceId];
        if (!live) {
          state.unknownDeviceSeen = true;
          continue;
        }
        const current = live.latest[reading.property];
        if (!current || current.observedAtMs <= reading.observedAtMs) {
          devices ??= { ...state.devices };
          devices[reading.deviceId] = { ...live, latest: { ...live.latest, [reading.property]: { value: reading.value, observedAtMs: reading.observedAtMs } } };
        }
        history ??= { ...state.history };
        const byProperty = history[reading.deviceId] ?? {};
        history[reading.deviceId] = {
          ...byProperty,
          [reading.property]: insertPoint(byProperty[reading.property] ?? [], [reading.observedAtMs, reading.value], state.historyMinutes),
        };
      }
      if (devices) state.devices = devices;
      if (history) state.history = history;
      return state;
    }
    case 'device.state': {
      const live = state.devices[event.change.deviceId];
      if (!live) {
        state.unknownDeviceSeen = true;
        return state;
      }
      state.devices = { ...state.devices, [event.change.deviceId]: { ...live, device: { ...live.device, deviceState: event.change.deviceState } } };
      return state;
    }
    case 'alert.raised':
      state.alerts = [event.alert, ...state.alerts.filter((alert) => alert.id !== event.alert.id)].slice(0, MAX_ALERTS);
      state.violations = recordViolations(state.violations, [event.alert], Date.parse(event.time) || Date.parse(event.alert.dateIssued) || 0);
      return state;
    case 'camera.counts': {
      const current = state.cameraLive[event.counts.cameraId];
      if (current?.countsAtMs !== undefined && current.countsAtMs > event.counts.toMs) return state;
      state.cameraLive = { ...state.cameraLive, [event.counts.cameraId]: { ...current, totals: event.counts.totals, countsAtMs: event.counts.toMs } };
      return state;
    }
    case 'camera.health': {
      const current = state.cameraLive[event.health.cameraId];
      if (current?.health && current.health.reportedAtMs > event.health.reportedAtMs) return state;
      state.cameraLive = { ...state.cameraLive, [event.health.cameraId]: { ...current, health: event.health } };
      return state;
    }
  }
}

/** The server asked for a new snapshot (`resync` message) or the client decided it needs one. */
export function requestResync(state: WallState, reason: ResyncReason): WallState {
  return state.needsResync === reason ? state : { ...state, needsResync: reason };
}

export function markConnection(state: WallState, status: ConnectionStatus, nowMs: number): WallState {
  if (state.status === status) return state;
  return { ...state, status, statusSinceMs: nowMs };
}

/** Inserts in time order (replacing an equal timestamp) and drops what fell out of the window. */
export function insertPoint(points: readonly Point[], point: Point, historyMinutes: number): readonly Point[] {
  const last = points[points.length - 1];
  let next: Point[];
  if (!last || last[0] < point[0]) {
    next = [...points, point];
  } else {
    next = [...points];
    let index = next.length - 1;
    while (index >= 0 && (next[index] as Point)[0] > point[0]) index -= 1;
    if (index >= 0 && (next[index] as Point)[0] === point[0]) next[index] = point;
    else next.splice(index + 1, 0, point);
  }
  return trimSeries(next, historyMinutes);
}

/** Keeps points within `historyMinutes` of the newest one, and at most MAX_POINTS_PER_SERIES. */
export function trimSeries(points: Point[], historyMinutes: number): Point[] {
  const newest = points[points.length - 1];
  if (!newest) return points;
  const cutoffMs = newest[0] - historyMinutes * 60_000;
  let drop = 0;
  while (drop < points.length && (points[drop] as Point)[0] < cutoffMs) drop += 1;
  drop = Math.max(drop, points.length - MAX_POINTS_PER_SERIES);
  return drop > 0 ? points.slice(drop) : points;
}

// ---- Selectors ----

/** True when the link is up (or coming back) but nothing, not even a heartbeat, arrived for `staleAfterMs`. */
export function isStale(state: WallState, nowMs: number, staleAfterMs: number): boolean {
  if (state.lastMessageAtMs === undefined) return state.status !== 'connecting';
  return nowMs - state.lastMessageAtMs > staleAfterMs;
}

export interface DeviceReading {
  value: number | undefined;
  observedAtMs: number | undefined;
  /** undefined: grey (no data, device offline, or its value is older than three report intervals). */
  level: 0 | 1 | 2 | 3 | 4 | undefined;
  stale: boolean;
}

export function deviceReading(live: LiveDevice, property: SensorProperty, nowMs: number): DeviceReading {
  const latest = live.latest[property];
  if (!latest) return { value: undefined, observedAtMs: undefined, level: undefined, stale: true };
  const maxAgeMs = 3 * (live.device.reportIntervalSeconds ?? 60) * 1000;
  const stale = live.device.deviceState === 'offline' || nowMs - latest.observedAtMs > maxAgeMs;
  return { value: latest.value, observedAtMs: latest.observedAtMs, level: stale ? undefined : levelOf(property, latest.value), stale };
}

/** Devices that measure `property` (or already reported it), in snapshot order. */
export function devicesFor(state: WallState, property: SensorProperty): LiveDevice[] {
  const result: LiveDevice[] = [];
  for (const id of state.deviceIds) {
    const live = state.devices[id];
    if (live && (live.device.controlledProperty.includes(property) || live.latest[property] !== undefined)) result.push(live);
  }
  return result;
}

export function seriesOf(state: WallState, deviceId: string, property: SensorProperty): readonly Point[] {
  return state.history[deviceId]?.[property] ?? [];
}
