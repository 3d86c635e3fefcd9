import { z } from 'zod';
import { entityIdSchema, isoDateTimeSchema } from './common';
import { SENSOR_PROPERTY_NAMES } from './properties';

/**
 * One observation of one property by one device. Natural key: (deviceId, property, observedAt), so a
 * reading sent twice is stored once.
 */
const readingBody = {
  property: z.enum(SENSOR_PROPERTY_NAMES),
  value: z.number().finite(),
  observedAt: isoDateTimeSchema,
};

/** What a sensor publishes on `ioc/v1/sensors/{deviceId}`: the device comes from the topic. */
export const mqttReadingSchema = z.object(readingBody).strict();
export const mqttReadingPayloadSchema = z.union([mqttReadingSchema, z.array(mqttReadingSchema).min(1).max(1000)]);
export type MqttReading = z.infer<typeof mqttReadingSchema>;

export const sensorReadingSchema = z.object({ deviceId: entityIdSchema, ...readingBody }).strict();
export type SensorReading = z.infer<typeof sensorReadingSchema>;

/** `POST /api/v1/ingest/readings` body. */
export const readingBatchSchema = z
  .object({ readings: z.array(z.unknown()).min(1).max(10_000) })
  .strict();

/** The answer to a batch: what was accepted and, per rejected item, its index and reasons. */
export interface ReadingBatchResult {
  accepted: number;
  rejected: Array<{ index: number; code: string; issues: Array<{ path: string; reason: string }> }>;
}

/** A reading as stored and pushed live (times as epoch milliseconds to keep the wire small). */
export interface StoredReading {
  deviceId: string;
  property: z.infer<typeof readingBody.property>;
  value: number;
  observedAtMs: number;
}
