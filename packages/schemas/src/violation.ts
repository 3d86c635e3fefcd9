import { z } from 'zod';
import { alertSeveritySchema, evidenceRefSchema } from './alert';
import { geoPointSchema, isoDateTimeSchema } from './common';

/**
 * Traffic violations found by a live camera: one record per track and rule, with the hashes of its evidence
 * (frames before/at/after with the box and the rule's geometry drawn, the vehicle crop, the plate crop, a short
 * H.264 clip). The record is also stored as a Smart Data Models `Alert` (category traffic) with the same id;
 * this is the police view of it, with the workflow status the police console moves on.
 */
export const violationRuleSchema = z.enum(['redLightViolation', 'carWrongDirection', 'carStopped', 'speeding', 'laneViolation']);
export type ViolationRule = z.infer<typeof violationRuleSchema>;

/** Where a case stands: `new` until an officer acts on it. */
export const violationStatusSchema = z.enum(['new', 'confirmed', 'rejected', 'dispatched']);
export type ViolationStatus = z.infer<typeof violationStatusSchema>;

export const violationRecordSchema = z
  .object({
    id: z.string().min(1).max(128).describe('the id of the Alert stored with it'),
    cameraId: z.string().min(1).max(128),
    rule: violationRuleSchema,
    ruleId: z.string().min(1).max(64).describe('the configured stop line, zone or lane'),
    trackId: z.number().int().min(0),
    vehicleClass: z.string().max(32),
    severity: alertSeveritySchema,
    /** When the vehicle broke the rule (red light: the stop-line crossing) and when the rule was sure. */
    occurredAt: isoDateTimeSchema,
    decidedAt: isoDateTimeSchema,
    recordedAt: isoDateTimeSchema,
    /** Detector confidence of the vehicle's box at the event frame, 0..1. */
    confidence: z.number().min(0).max(1),
    location: geoPointSchema.nullable(),
    districtCode: z.string().max(32).nullable(),
    /** The box at the event frame, pixels of the analysed frame: [x1, y1, x2, y2]. */
    box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    speedKmh: z.number().nullable(),
    advisory: z.boolean().nullable(),
    plateText: z.string().max(32).nullable(),
    plateConfidence: z.number().min(0).max(1).nullable(),
    evidence: z.array(evidenceRefSchema).max(16),
    status: violationStatusSchema,
  })
  .strict();
export type ViolationRecord = z.infer<typeof violationRecordSchema>;

/** `GET /api/v1/violations`: newest first; `from`/`to` bound `occurredAt` (from inclusive, to exclusive). */
export const violationListQuerySchema = z
  .object({
    cameraId: z.string().min(1).max(128).optional(),
    districtCode: z.string().min(1).max(32).optional(),
    rule: violationRuleSchema.optional(),
    status: violationStatusSchema.optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict()
  .refine((query) => query.from === undefined || query.to === undefined || Date.parse(query.from) < Date.parse(query.to), { message: 'from must be before to', path: ['to'] });
export type ViolationListQuery = z.output<typeof violationListQuerySchema>;

export interface ViolationListResponse {
  violations: ViolationRecord[];
  /** Records matching the filters (all pages). */
  total: number;
  limit: number;
  offset: number;
}

/** `GET /api/v1/violations/:id/verify`: every evidence file hashed again. */
export const evidenceFileCheckSchema = z
  .object({
    kind: evidenceRefSchema.shape.kind,
    sha256: z.string(),
    mediaType: z.string(),
    /** `ok`: the file's bytes hash to the recorded sha256; `mismatch`: they do not; `missing`: no file. */
    result: z.enum(['ok', 'mismatch', 'missing']),
    actualSha256: z.string().nullable(),
  })
  .strict();
export type EvidenceFileCheck = z.infer<typeof evidenceFileCheckSchema>;

export interface ViolationVerifyResponse {
  violationId: string;
  /** True when every file is present and matches its hash. */
  ok: boolean;
  checkedAt: string;
  files: EvidenceFileCheck[];
}

/** One row of the append-only evidence_access audit: who looked at what, and what they got. */
export const evidenceAccessResultSchema = z.enum(['served', 'verified', 'notInRecord', 'missingFile', 'unknownViolation']);
export type EvidenceAccessResult = z.infer<typeof evidenceAccessResultSchema>;

export interface EvidenceAccessEntry {
  id: number;
  accessedAt: string;
  clientAddress: string | null;
  violationId: string;
  /** The file asked for; null for a whole-record verification. */
  sha256: string | null;
  action: 'view' | 'verify';
  result: EvidenceAccessResult;
}
