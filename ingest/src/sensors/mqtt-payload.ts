import { entityIdSchema, type ErrorCode } from '@ioc/schemas';

/**
 * Pure pieces of the MQTT sensor source: which device a topic names, how a payload becomes items, and how a
 * payload is kept as text in a dead-letter row.
 */

export const SENSOR_TOPIC_PREFIX = 'ioc/v1/sensors/';
/** One level per device: `ioc/v1/sensors/{deviceId}`. */
export const SENSOR_TOPIC_FILTER = `${SENSOR_TOPIC_PREFIX}+`;
/** As `mqttReadingPayloadSchema`: one reading object or an array of 1…1000. */
export const MAX_READINGS_PER_MESSAGE = 1000;
/** An oversized payload is kept only this far in its dead-letter row. */
export const DEAD_LETTER_PAYLOAD_PREFIX_BYTES = 1024;

export type TopicDevice = { ok: true; deviceId: string } | { ok: false; reason: string };

export function deviceIdFromTopic(topic: string): TopicDevice {
  if (!topic.startsWith(SENSOR_TOPIC_PREFIX)) return { ok: false, reason: `topic "${topic}" is not under ${SENSOR_TOPIC_PREFIX}` };
  const deviceId = topic.slice(SENSOR_TOPIC_PREFIX.length);
  const result = entityIdSchema.safeParse(deviceId);
  if (!result.success) return { ok: false, reason: `"${deviceId}" in the topic is not a device id: ${result.error.issues[0]?.message ?? 'invalid'}` };
  return { ok: true, deviceId };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as UTF-8 text, or undefined when it is not valid UTF-8 or holds NUL (PostgreSQL text cannot). */
function utf8Text(payload: Uint8Array): string | undefined {
  try {
    const text = strictUtf8.decode(payload);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** How a payload is stored in a dead-letter row: its UTF-8 text, or `base64:` and its bytes. */
export function payloadForDeadLetter(payload: Uint8Array, maxBytes = Number.POSITIVE_INFINITY): string {
  const kept = payload.byteLength > maxBytes ? payload.subarray(0, maxBytes) : payload;
  let text = utf8Text(kept);
  // A cut can split a multi-byte character: drop up to 3 trailing bytes before giving up on text.
  for (let trim = 1; text === undefined && kept !== payload && trim <= 3 && trim < kept.byteLength; trim += 1) {
    text = utf8Text(kept.subarray(0, kept.byteLength - trim));
  }
  return text ?? `base64:${Buffer.from(kept).toString('base64')}`;
}

export type DecodedPayload =
  | { ok: true; items: unknown[]; isArray: boolean; text: string }
  | { ok: false; code: ErrorCode; reason: string };

/** Size, encoding, JSON and outer shape; the items themselves are validated by the ingest. */
export function decodeSensorPayload(payload: Uint8Array, maxPayloadBytes: number): DecodedPayload {
  if (payload.byteLength > maxPayloadBytes) {
    return {
      ok: false,
      code: 'IOC_ERR_PAYLOAD_TOO_LARGE',
      reason: `payload of ${payload.byteLength} bytes is larger than mqtt.maxPayloadBytes (${maxPayloadBytes}); the first ${DEAD_LETTER_PAYLOAD_PREFIX_BYTES} bytes are kept`,
    };
  }
  const text = utf8Text(payload);
  if (text === undefined) return { ok: false, code: 'IOC_ERR_MALFORMED_JSON', reason: 'payload is not UTF-8 text (JSON expected)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'IOC_ERR_MALFORMED_JSON', reason: `payload is not valid JSON: ${(err as Error).message}` };
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || parsed.length > MAX_READINGS_PER_MESSAGE) {
      return { ok: false, code: 'IOC_ERR_VALIDATION', reason: `(root): expected 1 to ${MAX_READINGS_PER_MESSAGE} readings, found ${parsed.length}` };
    }
    return { ok: true, items: parsed, isArray: true, text };
  }
  if (typeof parsed === 'object' && parsed !== null) return { ok: true, items: [parsed], isArray: false, text };
  return { ok: false, code: 'IOC_ERR_VALIDATION', reason: `(root): expected a reading object or an array of readings, found ${parsed === null ? 'null' : typeof parsed}` };
}
