import { z } from 'zod';
import { entityIdSchema, isoDateTimeSchema } from './common';

/**
 * Administrative-procedure dossiers (hồ sơ thủ tục hành chính) as the one-stop-shop systems (Hệ thống thông
 * tin giải quyết thủ tục hành chính) report them: one event per step of a dossier's life. Natural key:
 * (dossierId, event, occurredAt), so an event sent twice is stored once.
 */
export const DOSSIER_EVENTS = ['received', 'assigned', 'additionalDocumentsRequested', 'returned', 'resolved', 'withdrawn'] as const;
export type DossierEventType = (typeof DOSSIER_EVENTS)[number];

/** Events that end a dossier: a result (resolved), a refusal handed back (returned), or the applicant's withdrawal. */
export const DOSSIER_FINISHING_EVENTS = ['resolved', 'returned', 'withdrawn'] as const satisfies readonly DossierEventType[];

export const ADMINISTRATIVE_LEVELS = ['province', 'district', 'commune'] as const;
export type AdministrativeLevel = (typeof ADMINISTRATIVE_LEVELS)[number];

export const DOSSIER_CHANNELS = ['online', 'inPerson', 'postal'] as const;
export type DossierChannel = (typeof DOSSIER_CHANNELS)[number];

/**
 * Online service level of the procedure, as Decree 42/2022/NĐ-CP names it: `full` (dịch vụ công trực tuyến
 * toàn trình, formerly level 4), `partial` (một phần, formerly level 3) or `none` (information only, formerly
 * levels 1–2). The old numeric levels are accepted on input and mapped.
 */
export const ONLINE_SERVICE_LEVELS = ['none', 'partial', 'full'] as const;
export type OnlineServiceLevel = (typeof ONLINE_SERVICE_LEVELS)[number];

const LEGACY_ONLINE_LEVEL: Record<1 | 2 | 3 | 4, OnlineServiceLevel> = { 1: 'none', 2: 'none', 3: 'partial', 4: 'full' };

export const onlineServiceLevelSchema = z.union([
  z.enum(ONLINE_SERVICE_LEVELS),
  z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).transform((level) => LEGACY_ONLINE_LEVEL[level]),
]);

/** GSO codes: province 2 digits, district 3, commune 5. */
const gsoCodeSchema = z.string().regex(/^\d{2,5}$/, 'a GSO administrative unit code (2–5 digits)');

export const dossierEventSchema = z
  .object({
    dossierId: entityIdSchema.describe('Mã hồ sơ, as the one-stop-shop system numbers it.'),
    procedureCode: entityIdSchema.describe('Mã thủ tục (national procedure database code).'),
    procedureName: z.string().trim().min(1).max(500).describe('Tên thủ tục.'),
    agencyCode: entityIdSchema.describe('Mã cơ quan that handles the dossier.'),
    agencyName: z.string().trim().min(1).max(300).describe('Tên cơ quan.'),
    administrativeLevel: z.enum(ADMINISTRATIVE_LEVELS).describe('Cấp: province, district or commune.'),
    districtCode: gsoCodeSchema.optional().describe('GSO code of the district the agency belongs to (a commune: its district); absent for province agencies.'),
    onlineServiceLevel: onlineServiceLevelSchema.describe('Mức độ DVC: none, partial (một phần / 3) or full (toàn trình / 4).'),
    channel: z.enum(DOSSIER_CHANNELS).describe('Kênh nộp: online, inPerson or postal.'),
    event: z.enum(DOSSIER_EVENTS),
    occurredAt: isoDateTimeSchema,
    dueAt: isoDateTimeSchema.optional().describe('Hạn xử lý (ngày hẹn trả). Required on received; on a later event it replaces the due time (an extension, or the clock restarted after supplementary documents).'),
  })
  .strict()
  .superRefine((event, context) => {
    verifyDueAt(event, context);
  });

function verifyDueAt(event: { event: DossierEventType; occurredAt: string; dueAt?: string | undefined }, context: z.RefinementCtx): void {
  if (event.dueAt === undefined) {
    if (event.event === 'received') context.addIssue({ code: 'custom', path: ['dueAt'], message: 'dueAt is required on a received event' });
    return;
  }
  if (event.event === 'received' && Date.parse(event.dueAt) < Date.parse(event.occurredAt)) {
    context.addIssue({ code: 'custom', path: ['dueAt'], message: 'dueAt must not be before occurredAt' });
  }
}

export type DossierEvent = z.output<typeof dossierEventSchema>;
export type DossierEventInput = z.input<typeof dossierEventSchema>;

/** Most events in one webhook call or one imported file. */
export const MAX_DOSSIER_EVENTS_PER_BATCH = 10_000;

/** `POST /api/v1/dossiers/events` body; each item is validated on its own so one bad item does not sink the batch. */
export const dossierEventBatchSchema = z
  .object({ events: z.array(z.unknown()).min(1).max(MAX_DOSSIER_EVENTS_PER_BATCH) })
  .strict();

/** The answer to a batch or an import: what was accepted (stored now or before) and, per rejected item, why. */
export interface DossierBatchResult {
  accepted: number;
  /** Accepted events that were new (the rest had been stored before: the batch was resent). */
  stored: number;
  rejected: Array<{ index: number; code: string; issues: Array<{ path: string; reason: string }> }>;
}

/** A rejected row of an imported file: spreadsheet row number (header is row 1) and the column as headed in the file. */
export interface DossierImportRejection {
  row: number;
  column: string | null;
  field: string | null;
  reason: string;
}

export interface DossierImportResult {
  format: 'csv' | 'xlsx';
  rows: number;
  accepted: number;
  stored: number;
  rejected: DossierImportRejection[];
}
