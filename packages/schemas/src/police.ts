import { z } from 'zod';
import { isoDateTimeSchema } from './common';
import type { SessionUser } from './accounts';
import { violationRuleSchema, violationStatusSchema, type ViolationRecord, type ViolationStatus } from './violation';

/**
 * The traffic-police console: officers' actions on violations, their append-only trail, the evidence export
 * for the fining process and the `/police` live namespace.
 */

/** What an officer does to a case. `export` is written by the evidence export, never posted. */
export const policeActionSchema = z.enum(['confirm', 'reject', 'dispatch']);
export type PoliceAction = z.infer<typeof policeActionSchema>;
export type ViolationActionKind = PoliceAction | 'export';

/**
 * The allowed transitions, one per action. Everything else is refused:
 * - `new → dispatched` skips confirmation: no case goes to the fining process unless an officer has looked at
 *   the evidence and confirmed it;
 * - nothing leaves `rejected` or `dispatched`: a rejection and a hand-over are decisions others rely on (the
 *   vehicle owner is not notified, or the fining unit already has the case); undoing one is a supervisor's
 *   correction with its own paper trail, not a click in the queue;
 * - `confirmed → rejected`: once confirmed the evidence was accepted; withdrawing it goes through the same
 *   supervisor correction.
 */
export const POLICE_TRANSITIONS: Readonly<Record<PoliceAction, { from: ViolationStatus; to: ViolationStatus }>> = {
  confirm: { from: 'new', to: 'confirmed' },
  reject: { from: 'new', to: 'rejected' },
  dispatch: { from: 'confirmed', to: 'dispatched' },
};

/** The status `action` leads to from `status`, or undefined when the transition is refused. */
export function transitionOf(action: PoliceAction, status: ViolationStatus): ViolationStatus | undefined {
  const transition = POLICE_TRANSITIONS[action];
  return transition.from === status ? transition.to : undefined;
}

/** The actions open on a case in `status` (what the console offers). */
export function actionsFrom(status: ViolationStatus): PoliceAction[] {
  return policeActionSchema.options.filter((action) => POLICE_TRANSITIONS[action].from === status);
}

/** Why a case is rejected: a fixed list the statistics can count, plus free text. */
export const rejectReasonSchema = z.enum(['notAViolation', 'allowedMovement', 'priorityVehicle', 'plateUnreadable', 'duplicate', 'detectionError', 'other']);
export type RejectReason = z.infer<typeof rejectReasonSchema>;

/** `POST /api/v1/violations/:id/actions`. */
export const violationActionRequestSchema = z
  .object({
    action: policeActionSchema,
    /** The status the officer saw: a case changed meanwhile by someone else is refused (409 IOC_ERR_STALE_STATUS). */
    expectedStatus: violationStatusSchema,
    /** Required for `reject`; `other` needs a note of at least 3 characters. */
    reasonCode: rejectReasonSchema.optional(),
    note: z.string().trim().max(500).optional(),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.action === 'reject' && !body.reasonCode) context.addIssue({ code: 'custom', path: ['reasonCode'], message: 'a rejection needs a reason' });
    if (body.action !== 'reject' && body.reasonCode) context.addIssue({ code: 'custom', path: ['reasonCode'], message: 'only a rejection takes a reason code' });
    if (body.reasonCode === 'other' && (body.note ?? '').length < 3) context.addIssue({ code: 'custom', path: ['note'], message: 'reason "other" needs a note of at least 3 characters' });
  });
export type ViolationActionRequest = z.infer<typeof violationActionRequestSchema>;

/** Who acted, as known when the action was taken (kept in the row: accounts may be renamed or removed later). */
export interface OfficerRef {
  userId: string | null;
  username: string | null;
  displayName: string | null;
  unit: string | null;
}

/** One row of the append-only `violation_actions` trail. */
export interface ViolationActionEntry {
  id: number;
  at: string;
  violationId: string;
  action: ViolationActionKind;
  reasonCode: RejectReason | null;
  note: string | null;
  officer: OfficerRef;
  clientAddress: string | null;
  fromStatus: ViolationStatus;
  toStatus: ViolationStatus;
  /** Export rows: the export they belong to (one id per ZIP). */
  exportId: string | null;
}

export interface ViolationActionResponse {
  violation: ViolationRecord;
  entry: ViolationActionEntry;
}

export interface ViolationTrailResponse {
  violationId: string;
  actions: ViolationActionEntry[];
}

/** `GET /api/v1/violations/export.zip`: the list filters; only confirmed and dispatched cases are exported. */
export const violationExportQuerySchema = z
  .object({
    cameraId: z.string().min(1).max(128).optional(),
    districtCode: z.string().min(1).max(32).optional(),
    rule: violationRuleSchema.optional(),
    status: z.enum(['confirmed', 'dispatched']).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
  })
  .strict();
export type ViolationExportQuery = z.output<typeof violationExportQuerySchema>;
/** At most this many cases in one ZIP: larger exports are split by time range. */
export const MAX_EXPORT_CASES = 500;

/** The per-case JSON record inside the export (`cases/<id>/record.json`). */
export interface ViolationCaseRecord {
  schema: 'ioc.violation-case/1';
  violation: ViolationRecord;
  rule: { code: ViolationRecord['rule']; vi: string; en: string };
  place: { cameraId: string; districtCode: string | null; longitude: number | null; latitude: number | null };
  actions: ViolationActionEntry[];
  files: Array<{ kind: string; mediaType: string; sha256: string; path: string; bytes: number }>;
}

/** Rule names in words, shared by the console and the export. */
export const VIOLATION_RULE_WORDS: Readonly<Record<ViolationRecord['rule'], { vi: string; en: string }>> = {
  redLightViolation: { vi: 'Vượt đèn đỏ', en: 'Red-light running' },
  carWrongDirection: { vi: 'Đi ngược chiều', en: 'Wrong direction' },
  carStopped: { vi: 'Dừng, đỗ sai quy định', en: 'Illegal stopping/parking' },
  speeding: { vi: 'Chạy quá tốc độ', en: 'Speeding' },
  laneViolation: { vi: 'Đi sai làn đường', en: 'Lane violation' },
};

// ---- socket.io namespace `/police` ----

/** Sent on every (re)connect: what this viewer may see. The client reloads its queue over HTTP then (resync). */
export interface PoliceHello {
  scope: { province: boolean; districtCodes: string[]; cameraIds: string[] };
  user: Pick<SessionUser, 'username' | 'displayName' | 'role' | 'unit'> | null;
  serverTime: string;
}
export interface PoliceServerToClientEvents {
  hello: (message: PoliceHello) => void;
  'violation.new': (violation: ViolationRecord) => void;
  'violation.updated': (message: { violation: ViolationRecord; entry: ViolationActionEntry }) => void;
}
export type PoliceClientToServerEvents = Record<string, never>;
