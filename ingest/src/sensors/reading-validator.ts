import {
  SENSOR_PROPERTIES,
  entityIdSchema,
  mqttReadingSchema,
  sensorReadingSchema,
  toFieldIssues,
  type Device,
  type ErrorCode,
  type FieldIssue,
  type IocConfig,
  type StoredReading,
} from '@ioc/schemas';

/**
 * Validation of one sensor reading where it enters, as pure functions: shape (zod, from @ioc/schemas),
 * physical range, registry (device known, property measured by it) and time window. The first failing check
 * decides the rejection's code; schema problems are reported all at once.
 */

/** The time window a reading must fall in (the config's `ingest` section). */
export type ReadingTimeLimits = Pick<IocConfig['ingest'], 'maxReadingAgeSeconds' | 'maxFutureSkewSeconds'>;

/** Finds a registered device by id (the DeviceRegistry, or a Map in tests). */
export interface DeviceLookup {
  get(deviceId: string): Device | undefined;
}

/** Why an item was rejected: one stable code and the field issues, paths relative to the item (`value`, `(root)`). */
export interface ReadingRejection {
  code: ErrorCode;
  issues: FieldIssue[];
}

export type ReadingVerdict = { ok: true; reading: StoredReading } | { ok: false; rejection: ReadingRejection };

export interface ReadingValidationContext {
  devices: DeviceLookup;
  limits: ReadingTimeLimits;
  nowMs: number;
  /**
   * The device named by the MQTT topic. When given, the item is an MQTT reading (no `deviceId` field of its
   * own); when absent, the item must carry `deviceId` (HTTP batch).
   */
  deviceId?: string | undefined;
}

/** The path `toFieldIssues` gives an issue about the item as a whole. */
export const ROOT_PATH = '(root)';

function reject(code: ErrorCode, path: string, reason: string): ReadingVerdict {
  return { ok: false, rejection: { code, issues: [{ path, reason }] } };
}

function describeAge(seconds: number): string {
  if (seconds >= 2 * 86_400) return `${Math.round(seconds / 86_400)} days`;
  if (seconds >= 2 * 3600) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds)} s`;
}

export function validateReading(item: unknown, context: ReadingValidationContext): ReadingVerdict {
  let parsed: { deviceId: string; property: StoredReading['property']; value: number; observedAt: string };
  if (context.deviceId === undefined) {
    const result = sensorReadingSchema.safeParse(item);
    if (!result.success) return { ok: false, rejection: { code: 'IOC_ERR_VALIDATION', issues: toFieldIssues(result.error) } };
    parsed = result.data;
  } else {
    const deviceIdResult = entityIdSchema.safeParse(context.deviceId);
    if (!deviceIdResult.success) {
      return reject('IOC_ERR_VALIDATION', 'deviceId', `"${context.deviceId}" is not a device id: ${deviceIdResult.error.issues[0]?.message ?? 'invalid'}`);
    }
    const result = mqttReadingSchema.safeParse(item);
    if (!result.success) return { ok: false, rejection: { code: 'IOC_ERR_VALIDATION', issues: toFieldIssues(result.error) } };
    parsed = { deviceId: context.deviceId, ...result.data };
  }

  const range = SENSOR_PROPERTIES[parsed.property];
  if (parsed.value < range.minValue || parsed.value > range.maxValue) {
    return reject(
      'IOC_ERR_VALIDATION',
      'value',
      `expected ${parsed.property} between ${range.minValue} and ${range.maxValue} ${range.unit}, found ${parsed.value} (outside the physical range: a sensor fault)`,
    );
  }

  const device = context.devices.get(parsed.deviceId);
  if (!device) return reject('IOC_ERR_UNKNOWN_DEVICE', 'deviceId', `device "${parsed.deviceId}" is not registered`);
  if (!device.controlledProperty.includes(parsed.property)) {
    const measured = device.controlledProperty.length > 0 ? device.controlledProperty.join(', ') : 'nothing';
    return reject('IOC_ERR_PROPERTY_NOT_CONTROLLED', 'property', `device "${device.id}" does not measure ${parsed.property} (it measures ${measured})`);
  }

  const observedAtMs = Date.parse(parsed.observedAt);
  if (!Number.isFinite(observedAtMs)) return reject('IOC_ERR_VALIDATION', 'observedAt', `cannot read "${parsed.observedAt}" as a time`);
  const ageSeconds = (context.nowMs - observedAtMs) / 1000;
  if (ageSeconds > context.limits.maxReadingAgeSeconds) {
    return reject(
      'IOC_ERR_TIMESTAMP_OUT_OF_RANGE',
      'observedAt',
      `${parsed.observedAt} is ${describeAge(ageSeconds)} old; readings older than ${describeAge(context.limits.maxReadingAgeSeconds)} (ingest.maxReadingAgeSeconds) are rejected`,
    );
  }
  if (-ageSeconds > context.limits.maxFutureSkewSeconds) {
    return reject(
      'IOC_ERR_TIMESTAMP_OUT_OF_RANGE',
      'observedAt',
      `${parsed.observedAt} is ${describeAge(-ageSeconds)} ahead of the server clock; at most ${context.limits.maxFutureSkewSeconds} s (ingest.maxFutureSkewSeconds) is allowed`,
    );
  }

  return { ok: true, reading: { deviceId: parsed.deviceId, property: parsed.property, value: parsed.value, observedAtMs } };
}

/** Validates items against the current registry and clock; one instance per ingest. */
export class ReadingValidator {
  readonly #devices: DeviceLookup;
  readonly #limits: ReadingTimeLimits;
  readonly #now: () => number;

  constructor(options: { devices: DeviceLookup; limits: ReadingTimeLimits; now?: () => number }) {
    this.#devices = options.devices;
    this.#limits = { maxReadingAgeSeconds: options.limits.maxReadingAgeSeconds, maxFutureSkewSeconds: options.limits.maxFutureSkewSeconds };
    this.#now = options.now ?? Date.now;
  }

  validate(item: unknown, deviceId?: string): ReadingVerdict {
    return validateReading(item, { devices: this.#devices, limits: this.#limits, nowMs: this.#now(), deviceId });
  }
}

/** `readings.1` + `value` → `readings.1.value`; an issue about the whole item takes the prefix alone. */
export function joinFieldPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === ROOT_PATH || path === '' ? prefix : `${prefix}.${path}`;
}

/** `value: expected …; observedAt: …` — for logs and dead-letter reasons. */
export function describeIssues(issues: readonly FieldIssue[], pathPrefix = ''): string {
  return issues.map((issue) => `${joinFieldPath(pathPrefix, issue.path) || ROOT_PATH}: ${issue.reason}`).join('; ');
}
