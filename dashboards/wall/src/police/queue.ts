import type { ViolationRecord, ViolationRule, ViolationStatus } from '@ioc/schemas';

/** The console's filters, as the form holds them (dates are Vietnam calendar days, yyyy-MM-dd). */
export interface PoliceFilters {
  rule: ViolationRule | '';
  cameraId: string;
  status: ViolationStatus | '';
  fromDate: string;
  toDate: string;
}

export const EMPTY_POLICE_FILTERS: PoliceFilters = { rule: '', cameraId: '', status: '', fromDate: '', toDate: '' };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight of a Vietnam calendar day (UTC+7, no daylight saving) as an ISO instant; undefined when not a date. */
export function vietnamDayStart(date: string, plusDays = 0): string | undefined {
  const match = DATE.exec(date);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) - 7 * 3_600_000 + plusDays * DAY_MS;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The filters as API query parameters (`to` is exclusive: the day after `toDate`). */
export function filterParams(filters: PoliceFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.rule) params.set('rule', filters.rule);
  if (filters.cameraId.trim()) params.set('cameraId', filters.cameraId.trim());
  if (filters.status) params.set('status', filters.status);
  const from = vietnamDayStart(filters.fromDate);
  const to = vietnamDayStart(filters.toDate, 1);
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  return params;
}

/** The export takes the same filters, but only confirmed and dispatched cases: any other status is dropped. */
export function exportParams(filters: PoliceFilters): URLSearchParams {
  const params = filterParams(filters);
  if (filters.status !== 'confirmed' && filters.status !== 'dispatched') params.delete('status');
  return params;
}

/** Whether a case pushed live belongs in the list the filters show. */
export function matchesFilters(record: ViolationRecord, filters: PoliceFilters): boolean {
  if (filters.rule && record.rule !== filters.rule) return false;
  if (filters.cameraId.trim() && record.cameraId !== filters.cameraId.trim()) return false;
  if (filters.status && record.status !== filters.status) return false;
  const at = Date.parse(record.occurredAt);
  const from = vietnamDayStart(filters.fromDate);
  const to = vietnamDayStart(filters.toDate, 1);
  if (from && at < Date.parse(from)) return false;
  if (to && at >= Date.parse(to)) return false;
  return true;
}

const STATUS_ORDER: Record<ViolationStatus, number> = { new: 0, confirmed: 1, dispatched: 2, rejected: 3 };

/** Unconfirmed first (what needs an officer), then confirmed to dispatch; newest first within each. */
export function sortQueue(records: readonly ViolationRecord[]): ViolationRecord[] {
  return [...records].sort((left, right) => STATUS_ORDER[left.status] - STATUS_ORDER[right.status] || right.occurredAt.localeCompare(left.occurredAt) || left.id.localeCompare(right.id));
}

/** Adds or replaces one case (live push) keeping the rest. */
export function upsert(records: readonly ViolationRecord[], record: ViolationRecord): ViolationRecord[] {
  const index = records.findIndex((item) => item.id === record.id);
  if (index < 0) return [record, ...records];
  const next = [...records];
  next[index] = record;
  return next;
}

/** 0.873 → "87%" */
export function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

const TRACE_WINDOW_MS = 3 * 86_400_000;

/**
 * The trace page for a case's plate: three days either side of the violation (within the search's 31-day limit),
 * so a case from last month still shows where the vehicle went around that time, not the last 7 days from now.
 */
export function traceHref(plateText: string, occurredAt: string): string {
  const occurredMs = Date.parse(occurredAt);
  const query = new URLSearchParams({ plate: plateText });
  if (Number.isFinite(occurredMs)) {
    query.set('from', new Date(occurredMs - TRACE_WINDOW_MS).toISOString());
    query.set('to', new Date(occurredMs + TRACE_WINDOW_MS).toISOString());
  }
  return `/trace?${query.toString()}`;
}
