import type { FieldReport, FieldReportStatus } from '@ioc/schemas';

/**
 * The operator's queue as pure functions: where a report stands against its SLA, the order of urgency, the text
 * filter, and the due time an operator types. Tested with plain objects (queue.test.ts).
 */

/** Open reports due within this much time are "due soon" (amber). */
export const DUE_SOON_MS = 4 * 3_600_000;

export type SlaState = 'overdue' | 'dueSoon' | 'onTrack' | 'noDue' | 'closed';

export type QueueReport = Pick<FieldReport, 'id' | 'status' | 'serviceCode' | 'description' | 'address' | 'agencyResponsible' | 'statusNotes' | 'requestedAt' | 'expectedAt' | 'closedAt' | 'updatedAt'>;

export function slaStateOf(report: Pick<QueueReport, 'status' | 'expectedAt'>, nowMs: number): SlaState {
  if (report.status === 'resolved') return 'closed';
  if (!report.expectedAt) return 'noDue';
  const remainingMs = Date.parse(report.expectedAt) - nowMs;
  if (remainingMs < 0) return 'overdue';
  return remainingMs <= DUE_SOON_MS ? 'dueSoon' : 'onTrack';
}

const SLA_RANK: Record<SlaState, number> = { overdue: 0, dueSoon: 1, noDue: 2, onTrack: 3, closed: 4 };
const STATUS_RANK: Record<FieldReportStatus, number> = { new: 0, assigned: 1, resolved: 2 };

/**
 * Most urgent first: overdue (longest overdue first), due soon, then untriaged before assigned, earliest due
 * first; resolved reports last, most recently closed first. Ties: the oldest report first (it waited longest).
 */
export function compareUrgency(a: QueueReport, b: QueueReport, nowMs: number): number {
  const slaA = slaStateOf(a, nowMs);
  const slaB = slaStateOf(b, nowMs);
  if (SLA_RANK[slaA] !== SLA_RANK[slaB]) return SLA_RANK[slaA] - SLA_RANK[slaB];
  if (slaA === 'closed') return Date.parse(b.closedAt ?? b.updatedAt) - Date.parse(a.closedAt ?? a.updatedAt);
  if (STATUS_RANK[a.status] !== STATUS_RANK[b.status]) return STATUS_RANK[a.status] - STATUS_RANK[b.status];
  const dueA = a.expectedAt ? Date.parse(a.expectedAt) : Number.POSITIVE_INFINITY;
  const dueB = b.expectedAt ? Date.parse(b.expectedAt) : Number.POSITIVE_INFINITY;
  if (dueA !== dueB) return dueA - dueB;
  return Date.parse(a.requestedAt) - Date.parse(b.requestedAt);
}

export function sortByUrgency<T extends QueueReport>(reports: readonly T[], nowMs: number): T[] {
  return [...reports].sort((a, b) => compareUrgency(a, b, nowMs));
}

/**
 * Lower case without diacritics, so "duong vo nguyen giap" finds "Đường Võ Nguyên Giáp" (operators type fast,
 * often without a Vietnamese keyboard). đ/Đ is a letter of its own in Unicode, not d plus a mark.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** Every word of the query must appear in the id, description, address, agency, service code or latest note. */
export function matchesText(report: QueueReport, query: string, serviceName = ''): boolean {
  const words = foldText(query).split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return true;
  const haystack = foldText([report.id, report.serviceCode, serviceName, report.description, report.address, report.agencyResponsible, report.statusNotes].filter(Boolean).join(' '));
  return words.every((word) => haystack.includes(word));
}

/** Filters the server does (status, service, agency, overdue) become its query string; text stays here. */
export interface QueueFilters {
  status: FieldReportStatus | '';
  serviceCode: string;
  agency: string;
  overdueOnly: boolean;
  text: string;
}

export const EMPTY_FILTERS: QueueFilters = { status: '', serviceCode: '', agency: '', overdueOnly: false, text: '' };

/** The largest page the list route gives; the queue shows the newest this many matches. */
export const QUEUE_LIMIT = 500;

export function listQueryOf(filters: QueueFilters): string {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.serviceCode) query.set('serviceCode', filters.serviceCode);
  if (filters.agency.trim()) query.set('agency', filters.agency.trim());
  if (filters.overdueOnly) query.set('overdue', 'true');
  query.set('limit', String(QUEUE_LIMIT));
  return query.toString();
}

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/**
 * The due time as operators type it: `dd/MM/yyyy HH:mm` in Vietnam time whatever the desk computer's zone
 * (a native datetime picker would show the browser's locale, often US order). One-digit day, month and hour
 * are fine. Returns the instant in ms, or undefined for anything unreadable or impossible (31/02).
 */
export function parseVietnamDateTime(text: string): number | undefined {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2})[:h](\d{2})\s*$/.exec(text);
  if (!match) return undefined;
  const [, day, month, year, hours, minutes] = match.map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hours, minutes) - VIETNAM_OFFSET_MS;
  // Date.UTC rolls 31/02 over into March: refuse instead.
  return new Date(ms + VIETNAM_OFFSET_MS).getUTCDate() === day ? ms : undefined;
}

/** "2 giờ 5 phút" / "2 h 5 min" style durations for "overdue by" and "due in"; days once past 48 h. */
export function durationParts(durationMs: number): { days: number; hours: number; minutes: number } {
  const totalMinutes = Math.floor(Math.abs(durationMs) / 60_000);
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours >= 48) return { days: Math.floor(totalHours / 24), hours: totalHours % 24, minutes: 0 };
  return { days: 0, hours: totalHours, minutes: totalMinutes % 60 };
}

/**
 * The field reports a live batch from `/wall` touches: the API announces each new report and each change of
 * status or service as an `Alert` with category `citizenReport` whose `alertSource` is the request id.
 */
export function fieldReportIdsIn(events: ReadonlyArray<{ type: string; alert?: { category?: string; alertSource?: string } }>): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type === 'alert.raised' && event.alert?.category === 'citizenReport' && event.alert.alertSource) ids.add(event.alert.alertSource);
  }
  return [...ids];
}
