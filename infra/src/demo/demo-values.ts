import { SENSOR_PROPERTIES, type Device, type SensorProperty } from '@ioc/schemas';

/**
 * The simulated sensors' values: daily patterns in Vietnam time (UTC+7) plus smooth seeded noise.
 * Pure apart from the series state the caller owns, so the same seed and times give the same values —
 * in the backfill, in the live feed and in tests.
 *
 * The shapes follow what a northern-mountain provincial town sees: two traffic rush hours (07–08, 17–18),
 * PM2.5 raised by the rush hours and by the night-time inversion in the valley and much higher in the
 * burning season (February–April), and flood gauges on the Nậm Rốm that sit below the road most of the
 * time and rise after rain, downstream gauges later than upstream ones.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const VIETNAM_OFFSET_MS = 7 * HOUR_MS;

/** Hours since local midnight in Vietnam (0 ≤ h < 24, fractional). */
export function vietnamHourOfDay(timeMs: number): number {
  const local = (((timeMs + VIETNAM_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return local / HOUR_MS;
}

/** 0 = Sunday … 6 = Saturday, in Vietnam time. */
export function vietnamDayOfWeek(timeMs: number): number {
  return new Date(timeMs + VIETNAM_OFFSET_MS).getUTCDay();
}

/** 0 = January … 11 = December, in Vietnam time. */
export function vietnamMonth(timeMs: number): number {
  return new Date(timeMs + VIETNAM_OFFSET_MS).getUTCMonth();
}

/** A bump centred on `centreHour`, wrapping round midnight. */
function bump(hour: number, centreHour: number, widthHours: number): number {
  let distance = Math.abs(hour - centreHour);
  distance = Math.min(distance, 24 - distance);
  return Math.exp(-0.5 * (distance / widthHours) ** 2);
}

/** 0 at `fromHour`, 1 at `toHour`, smooth in between. */
function smoothStep(hour: number, fromHour: number, toHour: number): number {
  const x = Math.min(1, Math.max(0, (hour - fromHour) / (toHour - fromHour)));
  return x * x * (3 - 2 * x);
}

/** Relative traffic (≈0.05 at night … 1 at the evening peak) on a working day. */
export function trafficIntensity(hour: number, weekend = false): number {
  const daytime = smoothStep(hour, 5, 7.5) * (1 - smoothStep(hour, 20, 23.5));
  const morningPeak = bump(hour, 7.5, 0.7) * (weekend ? 0.35 : 0.6);
  const lunch = bump(hour, 11.5, 0.9) * 0.15;
  const eveningPeak = bump(hour, 17.5, 0.8) * (weekend ? 0.45 : 0.62);
  return Math.min(1, 0.05 + 0.33 * daytime + morningPeak + lunch + eveningPeak);
}

/** Relative PM2.5 through the day: rush-hour peaks, a clean afternoon, and the night inversion. */
export function pm25DailyFactor(hour: number): number {
  const night = 1 - smoothStep(hour, 6, 9) + smoothStep(hour, 20, 23);
  return 0.65 + 0.45 * bump(hour, 7.8, 1.1) + 0.5 * bump(hour, 18.5, 1.3) + 0.45 * Math.min(1, night);
}

/** Burning season in the north-west (Feb–Apr) is the worst; the rainy season (Jun–Sep) the cleanest. */
export function pm25SeasonFactor(month: number): number {
  const factors = [1.4, 2.0, 2.6, 2.2, 1.1, 0.7, 0.6, 0.6, 0.7, 0.9, 1.1, 1.3];
  return factors[month] ?? 1;
}

// ---- seeded randomness -------------------------------------------------------------------------------

/** FNV-1a: a stable 32-bit hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: returns the next state and a number in [0, 1). */
function mulberry32(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [next, ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296];
}

/** A deterministic number in [0, 1) for a key: for things that must agree across series (rain events). */
export function randomFor(key: string): number {
  return mulberry32(hashString(key))[1];
}

/** A mean-reverting random walk (Ornstein–Uhlenbeck), standard normal at every instant. */
interface Walk {
  value: number;
  timeMs: number;
}

/** What one device's series carries from one value to the next. Create with `createDemoState`. */
export interface DemoState {
  readonly seed: number;
  readonly deviceId: string;
  random: number;
  walks: Map<string, Walk>;
}

export function createDemoState(deviceId: string, seed: number): DemoState {
  return { seed, deviceId, random: hashString(`${seed}:${deviceId}`), walks: new Map() };
}

function nextUniform(state: DemoState): number {
  const [next, value] = mulberry32(state.random);
  state.random = next;
  return value;
}

function nextGaussian(state: DemoState): number {
  const u1 = Math.max(nextUniform(state), 1e-12);
  const u2 = nextUniform(state);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** The walk's value at `timeMs`; asking twice for the same time gives the same value. */
function walkAt(state: DemoState, key: string, timeMs: number, correlationMinutes: number): number {
  const walk = state.walks.get(key);
  if (!walk) {
    const created = { value: nextGaussian(state), timeMs };
    state.walks.set(key, created);
    return created.value;
  }
  if (timeMs > walk.timeMs) {
    const decay = Math.exp(-(timeMs - walk.timeMs) / (correlationMinutes * 60_000));
    walk.value = walk.value * decay + Math.sqrt(1 - decay * decay) * nextGaussian(state);
    walk.timeMs = timeMs;
  }
  return walk.value;
}

// ---- per-property models ----------------------------------------------------------------------------

/** A stable per-device factor in [low, high): some places are busier or dirtier than others. */
function deviceFactor(device: Pick<Device, 'id'>, what: string, low: number, high: number): number {
  return low + (high - low) * randomFor(`${device.id}:${what}`);
}

function isCity(device: Pick<Device, 'districtCode'>): boolean {
  return device.districtCode === '094';
}

function pm25Mean(device: Pick<Device, 'id' | 'districtCode'>, timeMs: number): number {
  const base = (isCity(device) ? 20 : 14) * deviceFactor(device, 'pm', 0.8, 1.25);
  return base * pm25DailyFactor(vietnamHourOfDay(timeMs)) * pm25SeasonFactor(vietnamMonth(timeMs));
}

function vehiclesPerMinuteMean(device: Pick<Device, 'id' | 'districtCode'>, timeMs: number): number {
  const capacity = isCity(device) ? deviceFactor(device, 'capacity', 55, 85) : deviceFactor(device, 'capacity', 25, 45);
  const day = vietnamDayOfWeek(timeMs);
  return capacity * trafficIntensity(vietnamHourOfDay(timeMs), day === 0 || day === 6);
}

const RAIN_WINDOW_MS = 6 * HOUR_MS;
const RAIN_CHANCE_PER_WINDOW = 0.18;
const RISE_MS = 1.5 * HOUR_MS;
const RECESSION_MS = 3 * HOUR_MS;

/**
 * Rise (cm) of the Nậm Rốm at a gauge from rain events: shared by every gauge (one river, one rain), each
 * 6-hour window having a chance of one event, arriving later downstream (further south).
 */
export function riverRiseCm(seed: number, latitude: number, timeMs: number): number {
  const lagMs = Math.max(0, 21.48 - latitude) * 5 * HOUR_MS;
  const localMs = timeMs - lagMs;
  const window = Math.floor(localMs / RAIN_WINDOW_MS);
  let rise = 0;
  // An event lasts ≲ 1.5 h rising + ~5 recessions: look back far enough for its tail.
  for (let back = 0; back <= 3; back += 1) {
    const index = window - back;
    if (randomFor(`${seed}:rain:${index}:happens`) >= RAIN_CHANCE_PER_WINDOW) continue;
    const startMs = index * RAIN_WINDOW_MS + randomFor(`${seed}:rain:${index}:start`) * RAIN_WINDOW_MS;
    const peakCm = 50 + 130 * randomFor(`${seed}:rain:${index}:peak`);
    const sinceMs = localMs - startMs;
    if (sinceMs < 0) continue;
    rise += sinceMs < RISE_MS ? peakCm * smoothStep(sinceMs, 0, RISE_MS) : peakCm * Math.exp(-(sinceMs - RISE_MS) / RECESSION_MS);
  }
  return rise;
}

/** Water below (−) or above (+) the road surface at a flood point, before noise. */
function waterLevelMeanCm(device: Pick<Device, 'id' | 'location'>, seed: number, timeMs: number): number {
  const month = vietnamMonth(timeMs);
  const rainySeason = month >= 4 && month <= 9;
  const base = (rainySeason ? -80 : -130) + deviceFactor(device, 'ground', -25, 25);
  const slow = 6 * Math.sin((2 * Math.PI * timeMs) / (11 * HOUR_MS) + 6 * randomFor(`${device.id}:phase`));
  return base + slow + riverRiseCm(seed, device.location.coordinates[1], timeMs) * (rainySeason ? 1 : 0.6);
}

function clampToRange(property: SensorProperty, value: number): number {
  const { minValue, maxValue } = SENSOR_PROPERTIES[property];
  return Math.min(maxValue, Math.max(minValue, value));
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * The simulated value of `property` for `device` at `timeMs`. Advances `state` (its random walks), so call
 * it with non-decreasing times per device; values stay inside the property's physical range.
 */
export function demoValueAt(device: Pick<Device, 'id' | 'districtCode' | 'location'>, property: SensorProperty, timeMs: number, state: DemoState): number {
  switch (property) {
    case 'pm25': {
      const walk = walkAt(state, 'pm25', timeMs, 20);
      return roundTo(clampToRange(property, Math.max(1, pm25Mean(device, timeMs) * Math.exp(0.25 * walk))), 1);
    }
    case 'pm10': {
      // Coarse dust follows the fine: the same weather, the same walk, plus road dust of its own.
      const shared = walkAt(state, 'pm25', timeMs, 20);
      const own = walkAt(state, 'pm10', timeMs, 10);
      const ratio = 1.6 + 0.15 * own;
      return roundTo(clampToRange(property, Math.max(2, pm25Mean(device, timeMs) * Math.exp(0.25 * shared) * ratio)), 1);
    }
    case 'noiseLAeq': {
      const hour = vietnamHourOfDay(timeMs);
      const day = vietnamDayOfWeek(timeMs);
      const traffic = trafficIntensity(hour, day === 0 || day === 6);
      const spike = nextUniform(state) < 0.04 ? 4 + 4 * nextUniform(state) : 0;
      const level = 44 + 26 * Math.sqrt(traffic) + deviceFactor(device, 'noise', -3, 4) + 1.5 * walkAt(state, 'noise', timeMs, 5) + spike;
      return roundTo(clampToRange(property, level), 1);
    }
    case 'vehicleCount': {
      const mean = vehiclesPerMinuteMean(device, timeMs) * (1 + 0.12 * walkAt(state, 'traffic', timeMs, 15));
      const counted = mean + Math.sqrt(Math.max(mean, 0)) * nextGaussian(state);
      return clampToRange(property, Math.max(0, Math.round(counted)));
    }
    case 'waterLevelCm': {
      const level = waterLevelMeanCm(device, state.seed, timeMs) + 3 * walkAt(state, 'water', timeMs, 30);
      return roundTo(clampToRange(property, level), 1);
    }
  }
}
