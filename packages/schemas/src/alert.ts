import { z } from 'zod';
import { entityIdSchema, geoPointSchema, isoDateTimeSchema } from './common';

/**
 * Smart Data Models `Alert`, with the evidence and plate fields a traffic violation carries.
 * `citizenReport` / `fieldReport` is the IOC's extension for Open311 field reports on the wall (the model's
 * categories have no place for a citizen's report); everything else is the model's vocabulary.
 */
export const alertCategorySchema = z.enum(['traffic', 'security', 'environment', 'weather', 'health', 'agriculture', 'fireRisk', 'citizenReport']);
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
  'fieldReport',
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
    /** When the condition started and when it ended (set once an incident clears; absent while it lasts). */
    validFrom: isoDateTimeSchema.optional(),
    validTo: isoDateTimeSchema.optional(),
    dateModified: isoDateTimeSchema.optional(),
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
