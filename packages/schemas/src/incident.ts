import { z } from 'zod';
import type { Alert } from './alert';
import { alertCategorySchema, alertSubCategorySchema } from './alert';

/**
 * Incidents the system raises itself (not violations, not citizens' reports): each is a Smart Data Models
 * `Alert` in the `alerts` table with the rule that raised it, kept open while its condition lasts (one open
 * alert per rule and device) and closed (`validTo`) when it clears. Operators acknowledge them with a note.
 */
export const INCIDENT_RULES = ['pm25Threshold', 'floodWaterLevel', 'deviceOffline', 'cameraOffline', 'congestion'] as const;
export type IncidentRule = (typeof INCIDENT_RULES)[number];

/** An alert with its lifecycle, as `GET /api/v1/alerts` answers. */
export interface AlertRecord {
  id: string;
  alert: Alert;
  /** The incident rule that raised it; null for alerts from elsewhere (violations). */
  rule: IncidentRule | null;
  deviceId: string | null;
  status: 'open' | 'closed';
  closedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgementNote: string | null;
}

export const alertAcknowledgeSchema = z
  .object({
    operator: z.string().trim().min(1).max(100),
    note: z.string().trim().min(1).max(2000),
  })
  .strict();

export const alertListQuerySchema = z
  .object({
    open: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
    category: alertCategorySchema.optional(),
    subCategory: alertSubCategorySchema.optional(),
    deviceId: z.string().min(1).max(128).optional(),
    acknowledged: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type AlertListQuery = z.output<typeof alertListQuerySchema>;
