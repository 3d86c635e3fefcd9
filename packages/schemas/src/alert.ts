import { z } from 'zod';
import { entityIdSchema, geoPointSchema, isoDateTimeSchema } from './common';

/** Smart Data Models `Alert`, with the evidence and plate fields a traffic violation carries. */
export const alertCategorySchema = z.enum(['traffic', 'security', 'environment', 'weather', 'health', 'agriculture', 'fireRisk']);
export const alertSubCategorySchema = z.enum([
  'trafficJam',
  'carWrongDirection',
  'carStopped',
  'redLightViolation',
  'speeding',
  'laneViolation',
  'deviceOffline',
  'airPollution',
  'flood',
  'noisePollution',
]);
export const alertSeveritySchema = z.enum(['informational', 'low', 'medium', 'high', 'critical']);

export const evidenceRefSchema = z
  .object({
    kind: z.enum(['frameBefore', 'frameAt', 'frameAfter', 'vehicleCrop', 'plateCrop', 'clip']),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mediaType: z.string().max(64),
  })
  .strict();

export const alertSchema = z
  .object({
    id: z.string().min(1).max(128),
    type: z.literal('Alert'),
    category: alertCategorySchema,
    subCategory: alertSubCategorySchema,
    severity: alertSeveritySchema,
    dateIssued: isoDateTimeSchema,
    description: z.string().max(2000).optional(),
    location: geoPointSchema.optional(),
    alertSource: entityIdSchema.optional(),
    districtCode: z.string().max(32).optional(),
    evidence: z.array(evidenceRefSchema).max(16).optional(),
    plate: z.string().max(32).optional(),
    trackId: z.number().int().min(0).optional(),
  })
  .strict();
export type Alert = z.infer<typeof alertSchema>;
