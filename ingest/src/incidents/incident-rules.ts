import {
  SENSOR_PROPERTIES,
  type Alert,
  type Device,
  type DeviceStateChange,
  type IncidentRule,
  type SensorProperty,
  type StoredReading,
  type TrafficFlowObserved,
} from '@ioc/schemas';

/**
 * The incident rules, as pure functions: each turns one input (a reading, a device state change, a closed
 * camera-minute, the clock) into a signal "this condition holds / has cleared for this device". The engine
 * (incident-engine.ts) keeps one open alert per rule and device and turns signals into raise / escalate /
 * close. Tested with scripted inputs in incident-rules.test.ts.
 */
export interface IncidentSignal {
  rule: IncidentRule;
  deviceId: string;
  /** true: the condition holds; false: it has cleared. */
  active: boolean;
  atMs: number;
  /** For active signals. */
  severity?: Alert['severity'];
  category?: Alert['category'];
  subCategory?: Alert['subCategory'];
  description?: string;
}

export type DeviceInfo = Pick<Device, 'id' | 'name' | 'category' | 'location' | 'districtCode' | 'reportIntervalSeconds'>;

const SEVERITY_RANK: Record<Alert['severity'], number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };
export const severityRank = (severity: Alert['severity']): number => SEVERITY_RANK[severity];

/* ---------------- Sensor thresholds ---------------- */

export interface ThresholdRule {
  rule: Extract<IncidentRule, 'pm25Threshold' | 'floodWaterLevel'>;
  property: SensorProperty;
  /** Raised when a value reaches this. */
  raiseAt: number;
  /** Cleared when a value falls below this (below raiseAt, so a value hovering at the limit does not flap). */
  clearBelow: number;
  category: Alert['category'];
  subCategory: Alert['subCategory'];
  severityOf(value: number): Alert['severity'];
}

const [, PM25_POOR, PM25_BAD, PM25_VERY_BAD] = SENSOR_PROPERTIES.pm25.levelThresholds;
const [, FLOOD_STOPS_MOTORBIKES, FLOOD_DEEP, FLOOD_VERY_DEEP] = SENSOR_PROPERTIES.waterLevelCm.levelThresholds;
void PM25_POOR;

/** PM2.5 at the VN_AQI 'bad' band (80 µg/m³) or above; critical from 'very bad' (150). Clears below 72. */
export const PM25_THRESHOLD_RULE: ThresholdRule = {
  rule: 'pm25Threshold',
  property: 'pm25',
  raiseAt: PM25_BAD,
  clearBelow: PM25_BAD * 0.9,
  category: 'environment',
  subCategory: 'airPollution',
  severityOf: (value) => (value >= PM25_VERY_BAD ? 'critical' : 'high'),
};

/** Water 15 cm over the road (motorbikes stop) or more; high from 30 cm, critical from 50 cm. Clears below 12 cm. */
export const FLOOD_THRESHOLD_RULE: ThresholdRule = {
  rule: 'floodWaterLevel',
  property: 'waterLevelCm',
  raiseAt: FLOOD_STOPS_MOTORBIKES,
  clearBelow: FLOOD_STOPS_MOTORBIKES * 0.8,
  category: 'weather',
  subCategory: 'flood',
  severityOf: (value) => (value >= FLOOD_VERY_DEEP ? 'critical' : value >= FLOOD_DEEP ? 'high' : 'medium'),
};

export const THRESHOLD_RULES: readonly ThresholdRule[] = [PM25_THRESHOLD_RULE, FLOOD_THRESHOLD_RULE];

const formatValue = (value: number) => (Math.round(value * 10) / 10).toLocaleString('vi-VN');

/** One reading against one threshold rule; undefined when the rule does not look at that property. */
export function evaluateThreshold(rule: ThresholdRule, reading: StoredReading, device: DeviceInfo | undefined, isOpen: boolean): IncidentSignal | undefined {
  if (reading.property !== rule.property) return undefined;
  const active = isOpen ? reading.value >= rule.clearBelow : reading.value >= rule.raiseAt;
  const base = { rule: rule.rule, deviceId: reading.deviceId, active, atMs: reading.observedAtMs };
  if (!active) return base;
  const property = SENSOR_PROPERTIES[rule.property];
  return {
    ...base,
    severity: rule.severityOf(reading.value),
    category: rule.category,
    subCategory: rule.subCategory,
    description: `${property.labelVi} ${formatValue(reading.value)} ${property.unit} (ngưỡng ${rule.raiseAt}) — ${device?.name ?? reading.deviceId}`,
  };
}

/* ---------------- Devices offline ---------------- */

/** A sensor is offline when nothing came for this many report intervals (Device.reportIntervalSeconds). */
export const OFFLINE_AFTER_INTERVALS = 3;

/**
 * Sensors (not cameras: they report their own state) silent for 3× their report interval. `lastReportMs`
 * is the newest observation seen; `sinceMs` is when watching began, so a device never heard from gets the
 * same grace after a restart.
 */
export function checkOffline(devices: Iterable<DeviceInfo>, lastReportMs: ReadonlyMap<string, number>, nowMs: number, sinceMs: number): IncidentSignal[] {
  const signals: IncidentSignal[] = [];
  for (const device of devices) {
    if (device.category === 'camera') continue;
    const lastMs = Math.max(lastReportMs.get(device.id) ?? Number.NEGATIVE_INFINITY, sinceMs);
    const allowedMs = OFFLINE_AFTER_INTERVALS * device.reportIntervalSeconds * 1000;
    const silentMs = nowMs - lastMs;
    const active = silentMs > allowedMs;
    signals.push(
      active
        ? {
            rule: 'deviceOffline',
            deviceId: device.id,
            active,
            atMs: nowMs,
            severity: 'medium',
            category: 'security',
            subCategory: 'deviceOffline',
            description: `Mất tín hiệu ${Math.round(silentMs / 60_000)} phút — ${device.name}`,
          }
        : { rule: 'deviceOffline', deviceId: device.id, active, atMs: nowMs },
    );
  }
  return signals;
}

/** A camera's own state change (from its pipeline, on the bus): offline raises, ok clears, others change nothing. */
export function cameraStateSignal(change: DeviceStateChange, device: DeviceInfo | undefined): IncidentSignal | undefined {
  if (device && device.category !== 'camera') return undefined;
  if (change.deviceState === 'offline') {
    return { rule: 'cameraOffline', deviceId: change.deviceId, active: true, atMs: change.changedAtMs, severity: 'high', category: 'security', subCategory: 'deviceOffline', description: `Camera mất tín hiệu — ${device?.name ?? change.deviceId}` };
  }
  if (change.deviceState === 'ok') return { rule: 'cameraOffline', deviceId: change.deviceId, active: false, atMs: change.changedAtMs };
  return undefined;
}

/* ---------------- Congestion ---------------- */

/**
 * Congestion from a camera's per-minute counts (TrafficFlowObserved). A camera-minute is congested when
 * the busiest line's occupancy reaches `occupancy` (when the counter measures it), or when the vehicles
 * counted over all its lines reach `vehiclesPerMinute` (cameras count crossings, not occupancy). Raised after
 * `raiseAfterMinutes` congested minutes in a row, cleared after `clearAfterMinutes` normal ones; high when
 * 1.5× the count or 0.7 occupancy, medium otherwise.
 */
export interface CongestionSpec {
  vehiclesPerMinute: number;
  occupancy: number;
  raiseAfterMinutes: number;
  clearAfterMinutes: number;
}
export const DEFAULT_CONGESTION: CongestionSpec = { vehiclesPerMinute: 60, occupancy: 0.5, raiseAfterMinutes: 2, clearAfterMinutes: 2 };

export interface CameraMinute {
  deviceId: string;
  fromMs: number;
  vehicles: number;
  /** Highest occupancy of any line in the minute, undefined when not measured. */
  maxOccupancy: number | undefined;
}

/** Rows → one summary per camera and minute. `anyVehicle` rows are the totals when present; else the classes are summed. */
export function summariseFlowMinutes(rows: readonly TrafficFlowObserved[]): CameraMinute[] {
  const groups = new Map<string, { deviceId: string; fromMs: number; anyVehicle: number; classes: number; hasAny: boolean; maxOccupancy: number | undefined }>();
  for (const row of rows) {
    const fromMs = Date.parse(row.dateObservedFrom);
    const key = `${row.refDevice}|${fromMs}`;
    const group = groups.get(key) ?? { deviceId: row.refDevice, fromMs, anyVehicle: 0, classes: 0, hasAny: false, maxOccupancy: undefined };
    if (row.vehicleType === 'anyVehicle') {
      group.anyVehicle += row.intensity;
      group.hasAny = true;
    } else {
      group.classes += row.intensity;
    }
    if (row.occupancy !== undefined) group.maxOccupancy = Math.max(group.maxOccupancy ?? 0, row.occupancy);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((group) => ({ deviceId: group.deviceId, fromMs: group.fromMs, vehicles: group.hasAny ? group.anyVehicle : group.classes, maxOccupancy: group.maxOccupancy }))
    .sort((a, b) => a.fromMs - b.fromMs);
}

export interface CongestionState {
  congestedMinutes: number;
  normalMinutes: number;
  open: boolean;
  lastFromMs: number;
}
export const INITIAL_CONGESTION_STATE: CongestionState = { congestedMinutes: 0, normalMinutes: 0, open: false, lastFromMs: Number.NEGATIVE_INFINITY };

/** One closed minute of one camera: the new streak state and, when it flips, the signal. Minutes out of order are ignored. */
export function congestionUpdater(state: CongestionState, minute: CameraMinute, device: DeviceInfo | undefined, spec: CongestionSpec = DEFAULT_CONGESTION): { state: CongestionState; signal?: IncidentSignal } {
  if (minute.fromMs <= state.lastFromMs) return { state };
  // A gap (missed minutes) restarts the streaks: only consecutive minutes count.
  const consecutive = minute.fromMs - state.lastFromMs <= 60_000;
  const byOccupancy = minute.maxOccupancy !== undefined && minute.maxOccupancy >= spec.occupancy;
  const congested = byOccupancy || minute.vehicles >= spec.vehiclesPerMinute;
  const next: CongestionState = {
    congestedMinutes: congested ? (consecutive ? state.congestedMinutes : 0) + 1 : 0,
    normalMinutes: congested ? 0 : (consecutive ? state.normalMinutes : 0) + 1,
    open: state.open,
    lastFromMs: minute.fromMs,
  };
  const atMs = minute.fromMs + 60_000;
  if (!state.open && next.congestedMinutes >= spec.raiseAfterMinutes) {
    next.open = true;
    const heavy = minute.vehicles >= spec.vehiclesPerMinute * 1.5 || (minute.maxOccupancy ?? 0) >= 0.7;
    const measure = minute.maxOccupancy !== undefined ? `chiếm dụng ${Math.round(minute.maxOccupancy * 100)} %` : `${minute.vehicles} xe/phút`;
    return {
      state: next,
      signal: { rule: 'congestion', deviceId: minute.deviceId, active: true, atMs, severity: heavy ? 'high' : 'medium', category: 'traffic', subCategory: 'trafficJam', description: `Ùn tắc (${measure}) — ${device?.name ?? minute.deviceId}` },
    };
  }
  if (state.open && next.normalMinutes >= spec.clearAfterMinutes) {
    next.open = false;
    return { state: next, signal: { rule: 'congestion', deviceId: minute.deviceId, active: false, atMs } };
  }
  return { state: next };
}
