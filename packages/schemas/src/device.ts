import { z } from 'zod';
import { entityIdSchema, geoPointSchema, isoDateTimeSchema } from './common';
import { SENSOR_PROPERTY_NAMES } from './properties';

/** Smart Data Models `Device` (dataModel.Device), the subset the IOC uses, plus the district it stands in. */
export const deviceCategorySchema = z.enum(['sensor', 'camera', 'trafficSignal', 'meter']);
export const deviceStateSchema = z.enum(['ok', 'offline', 'degraded', 'unknown']);

export const deviceSchema = z
  .object({
    id: entityIdSchema,
    type: z.literal('Device'),
    name: z.string().min(1).max(200),
    category: deviceCategorySchema,
    /** What the device measures (Smart Data Models `controlledProperty`). */
    controlledProperty: z.array(z.enum(SENSOR_PROPERTY_NAMES)).max(16),
    location: geoPointSchema,
    /** Code of the administrative unit (district) it belongs to, for scoping and drill-down. */
    districtCode: z.string().min(1).max(32).optional(),
    deviceState: deviceStateSchema,
    dateLastValueReported: isoDateTimeSchema.optional(),
    /** Expected seconds between reports; the device is considered offline after 3 missed reports. */
    reportIntervalSeconds: z.number().int().min(1).max(86_400).default(60),
  })
  .strict();
export type Device = z.infer<typeof deviceSchema>;
export type DeviceInput = z.input<typeof deviceSchema>;
