/**
 * Traffic figures from what `GET /api/v1/cameras` reports: per camera, per counting line and vehicle type, the
 * vehicles counted since the pipeline started (forward + backward). The wall samples it and books the increase
 * between two samples to the hour (Vietnam time) it was seen in: volume per hour, and the class mix.
 */
export interface CameraInfo {
  id: string;
  name: string;
  state: 'starting' | 'online' | 'offline' | 'stopped';
  position: [number, number] | undefined;
  districtCode: string | undefined;
  lastFrameAtMs: number | undefined;
  /** Per vehicle type, summed over lines and directions. */
  totals: Record<string, number>;
}

const CAMERA_STATES = new Set(['starting', 'online', 'offline', 'stopped']);

/** Reads `{ cameras: CameraSummary[] }` (packages/api/src/cameras.ts), skipping malformed entries. */
export function parseCameras(body: unknown): CameraInfo[] {
  const list = body && typeof body === 'object' && Array.isArray((body as { cameras?: unknown }).cameras) ? (body as { cameras: unknown[] }).cameras : [];
  const cameras: CameraInfo[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const raw = item as Record<string, unknown>;
    if (typeof raw.id !== 'string') continue;
    const coordinates = (raw.location as { coordinates?: unknown } | undefined)?.coordinates;
    const position = Array.isArray(coordinates) && coordinates.length >= 2 && coordinates.every((value) => typeof value === 'number') ? ([coordinates[0], coordinates[1]] as [number, number]) : undefined;
    const totals: Record<string, number> = {};
    const counts = raw.counts && typeof raw.counts === 'object' ? (raw.counts as Record<string, Record<string, { forward?: number; backward?: number }>>) : {};
    for (const byType of Object.values(counts)) {
      if (!byType || typeof byType !== 'object') continue;
      for (const [vehicleType, count] of Object.entries(byType)) totals[vehicleType] = (totals[vehicleType] ?? 0) + (Number(count?.forward) || 0) + (Number(count?.backward) || 0);
    }
    cameras.push({
      id: raw.id,
      name: typeof raw.name === 'string' ? raw.name : raw.id,
      state: CAMERA_STATES.has(raw.state as string) ? (raw.state as CameraInfo['state']) : 'offline',
      position,
      districtCode: typeof raw.districtCode === 'string' ? raw.districtCode : undefined,
      lastFrameAtMs: typeof raw.lastFrameAtMs === 'number' ? raw.lastFrameAtMs : undefined,
      totals,
    });
  }
  return cameras;
}

export interface TrafficTally {
  /** Last totals seen per camera and vehicle type (the baseline for the next increase). */
  lastTotals: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Vehicles per hour: hour start (ms, Vietnam hours) → count. Today and yesterday only. */
  hourly: Readonly<Record<number, number>>;
  /** Vehicles per type since the wall started counting. */
  mix: Readonly<Record<string, number>>;
  countingSinceMs: number | undefined;
  version: number;
}

export function initialTally(): TrafficTally {
  return { lastTotals: {}, hourly: {}, mix: {}, countingSinceMs: undefined, version: 0 };
}

const HOUR_MS = 3_600_000;
const VIETNAM_OFFSET_MS = 7 * HOUR_MS;

/** Start of the hour containing `ms` (Vietnam has whole-hour offset, so UTC hours are Vietnam hours). */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Start of the Vietnam day containing `ms`. */
export function vietnamDayStart(ms: number): number {
  return Math.floor((ms + VIETNAM_OFFSET_MS) / 86_400_000) * 86_400_000 - VIETNAM_OFFSET_MS;
}

/**
 * Books each camera's increase since the last sample. The first sample of a camera is only a baseline (its
 * totals span an unknown time); a total that went down means the pipeline restarted, and the new total is the
 * increase.
 */
export function recordCameraSample(tally: TrafficTally, cameras: readonly CameraInfo[], nowMs: number): TrafficTally {
  const lastTotals: Record<string, Record<string, number>> = { ...tally.lastTotals } as Record<string, Record<string, number>>;
  const hourly: Record<number, number> = { ...tally.hourly };
  const mix: Record<string, number> = { ...tally.mix };
  const hour = hourStart(nowMs);
  let increase = 0;
  for (const camera of cameras) {
    const previous = tally.lastTotals[camera.id];
    if (previous) {
      for (const [vehicleType, total] of Object.entries(camera.totals)) {
        const before = previous[vehicleType] ?? 0;
        const delta = total >= before ? total - before : total;
        if (delta > 0) {
          mix[vehicleType] = (mix[vehicleType] ?? 0) + delta;
          increase += delta;
        }
      }
    }
    lastTotals[camera.id] = { ...camera.totals };
  }
  if (increase > 0) hourly[hour] = (hourly[hour] ?? 0) + increase;
  const yesterday = vietnamDayStart(nowMs) - 86_400_000;
  for (const key of Object.keys(hourly)) if (Number(key) < yesterday) delete hourly[Number(key)];
  return { lastTotals, hourly, mix, countingSinceMs: tally.countingSinceMs ?? (cameras.length > 0 ? nowMs : undefined), version: tally.version + 1 };
}

/** 24 hourly volumes for today and for yesterday (undefined where nothing was counted). */
export function hourlyByDay(tally: TrafficTally, nowMs: number): { today: Array<number | undefined>; yesterday: Array<number | undefined> } {
  const todayStart = vietnamDayStart(nowMs);
  const day = (start: number) => Array.from({ length: 24 }, (_unused, hour) => tally.hourly[start + hour * HOUR_MS]);
  return { today: day(todayStart), yesterday: day(todayStart - 86_400_000) };
}
