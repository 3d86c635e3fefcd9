import type { DossierChannel } from './dossier';

/**
 * Dossier KPIs as the provincial reports publish them (Decree 61/2018/NĐ-CP, Circular 01/2018/TT-VPCP report
 * forms): pure functions over dossier states, so the formulas are tested with plain arrays and the SQL in
 * the store is checked against them. Days are Vietnam days (UTC+7, no daylight saving time).
 *
 * For a period [from, to) and the moment it is judged at, asOf = min(to, now):
 * - received        received in the period; receivedOnline of those through the online channel.
 * - carriedOver     received before the period and not finished at its start (từ kỳ trước chuyển qua).
 * - withdrawn       withdrawn by the applicant (rút hồ sơ) before the period ends: no result is owed, so they
 *                   leave the count.
 * - toProcess       received + carriedOver − withdrawn (tổng số hồ sơ phải giải quyết).
 * - resolved        finished with a result before the period ends (a refusal handed back, "returned", counts:
 *                   it is the agency's answer); split by the due time (hạn xử lý):
 *                     early   finished on a Vietnam day before the due day (trả trước hạn);
 *                     onTime  on the due day, at or before the due time (đúng hạn);
 *                     late    after the due time (quá hạn).
 * - inProgress      not finished at the period's end (đang giải quyết); split at asOf:
 *                     overdue    due before asOf (quá hạn);
 *                     nearDue    due within the next NEAR_DUE_WORKING_DAYS working days (sắp đến hạn);
 *                     notYetDue  due later (trong hạn).
 * - late            inProgressOverdue + resolvedLate; lateRate = late ÷ toProcess; onTimeRate = 100 % − lateRate.
 * - onlineShare     receivedOnline ÷ received.
 * toProcess = resolved + inProgress always holds. Rates are percentages, null when their denominator is 0.
 */
export const VIETNAM_UTC_OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;
/** "Near due": due within this many working days (Monday–Friday; public holidays are not modelled). */
export const NEAR_DUE_WORKING_DAYS = 2;

export type DossierOutcome = 'resolved' | 'returned' | 'withdrawn';

/** What the KPIs need of one dossier (the store's current-state row). */
export interface DossierState {
  receivedAtMs: number;
  dueAtMs: number;
  /** When it was resolved, returned or withdrawn; null while in progress. */
  finishedAtMs: number | null;
  outcome: DossierOutcome | null;
  channel: DossierChannel;
}

export interface DossierKpiPeriod {
  fromMs: number;
  toMs: number;
  /** The moment in-progress dossiers are judged at; min(toMs, now) when absent. */
  asOfMs?: number;
}

export interface DossierKpis {
  received: number;
  receivedOnline: number;
  carriedOver: number;
  withdrawn: number;
  toProcess: number;
  resolved: number;
  resolvedEarly: number;
  resolvedOnTime: number;
  resolvedLate: number;
  /** Of `resolved`: refusals handed back to the applicant. */
  returned: number;
  inProgress: number;
  inProgressNotYetDue: number;
  inProgressNearDue: number;
  inProgressOverdue: number;
  late: number;
  lateRatePercent: number | null;
  onTimeRatePercent: number | null;
  onlineSharePercent: number | null;
}

/** Start of the Vietnam calendar day containing the instant. */
export function vietnamDayStartMs(timeMs: number): number {
  return Math.floor((timeMs + VIETNAM_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - VIETNAM_UTC_OFFSET_MS;
}

/** 0 = Sunday … 6 = Saturday, in Vietnam. */
export function vietnamWeekday(timeMs: number): number {
  return new Date(timeMs + VIETNAM_UTC_OFFSET_MS).getUTCDay();
}

export function isVietnamWorkingDay(timeMs: number): boolean {
  const weekday = vietnamWeekday(timeMs);
  return weekday !== 0 && weekday !== 6;
}

/**
 * The same clock time `workingDays` working days later: Saturdays and Sundays are stepped over. How due
 * times are set (a procedure's time limit is in working days) and how "near due" is bounded.
 */
export function addWorkingDaysMs(timeMs: number, workingDays: number): number {
  let result = timeMs;
  let counted = 0;
  while (counted < workingDays) {
    result += DAY_MS;
    if (isVietnamWorkingDay(result)) counted += 1;
  }
  return result;
}

/** Due before this instant (and not before asOf) counts as near due. */
export function nearDueUntilMs(asOfMs: number): number {
  return addWorkingDaysMs(asOfMs, NEAR_DUE_WORKING_DAYS);
}

export function emptyDossierKpis(): DossierKpis {
  return {
    received: 0,
    receivedOnline: 0,
    carriedOver: 0,
    withdrawn: 0,
    toProcess: 0,
    resolved: 0,
    resolvedEarly: 0,
    resolvedOnTime: 0,
    resolvedLate: 0,
    returned: 0,
    inProgress: 0,
    inProgressNotYetDue: 0,
    inProgressNearDue: 0,
    inProgressOverdue: 0,
    late: 0,
    lateRatePercent: null,
    onTimeRatePercent: null,
    onlineSharePercent: null,
  };
}

/** How a finished dossier stands against its due time. */
export function punctualityOf(finishedAtMs: number, dueAtMs: number): 'early' | 'onTime' | 'late' {
  if (finishedAtMs > dueAtMs) return 'late';
  return finishedAtMs < vietnamDayStartMs(dueAtMs) ? 'early' : 'onTime';
}

/** The KPIs of the dossiers over one period (see the module comment for each definition). */
export function computeDossierKpis(dossiers: Iterable<DossierState>, period: DossierKpiPeriod, nowMs: number = Date.now()): DossierKpis {
  const { fromMs, toMs } = period;
  const asOfMs = period.asOfMs ?? Math.min(toMs, nowMs);
  const nearDueLimitMs = nearDueUntilMs(asOfMs);
  const kpis = emptyDossierKpis();
  for (const dossier of dossiers) {
    const finishedAtMs = dossier.finishedAtMs;
    if (dossier.receivedAtMs >= toMs) continue;
    if (finishedAtMs !== null && finishedAtMs < fromMs) continue;
    if (dossier.receivedAtMs >= fromMs) {
      kpis.received += 1;
      if (dossier.channel === 'online') kpis.receivedOnline += 1;
    } else {
      kpis.carriedOver += 1;
    }
    const finishedInPeriod = finishedAtMs !== null && finishedAtMs < toMs;
    if (finishedInPeriod && dossier.outcome === 'withdrawn') {
      kpis.withdrawn += 1;
    } else if (finishedInPeriod) {
      kpis.resolved += 1;
      if (dossier.outcome === 'returned') kpis.returned += 1;
      const punctuality = punctualityOf(finishedAtMs, dossier.dueAtMs);
      if (punctuality === 'early') kpis.resolvedEarly += 1;
      else if (punctuality === 'onTime') kpis.resolvedOnTime += 1;
      else kpis.resolvedLate += 1;
    } else {
      kpis.inProgress += 1;
      if (dossier.dueAtMs < asOfMs) kpis.inProgressOverdue += 1;
      else if (dossier.dueAtMs < nearDueLimitMs) kpis.inProgressNearDue += 1;
      else kpis.inProgressNotYetDue += 1;
    }
  }
  return withRates(kpis);
}

/** Fills toProcess, late and the rates from the counts (shared with the store, which counts in SQL). */
export function withRates(counts: DossierKpis): DossierKpis {
  const toProcess = counts.received + counts.carriedOver - counts.withdrawn;
  const late = counts.inProgressOverdue + counts.resolvedLate;
  const lateRatePercent = toProcess > 0 ? (100 * late) / toProcess : null;
  return {
    ...counts,
    toProcess,
    late,
    lateRatePercent,
    onTimeRatePercent: lateRatePercent === null ? null : 100 - lateRatePercent,
    onlineSharePercent: counts.received > 0 ? (100 * counts.receivedOnline) / counts.received : null,
  };
}

export const DOSSIER_KPI_GROUPS = ['agency', 'level', 'procedure', 'day', 'district'] as const;
export type DossierKpiGroup = (typeof DOSSIER_KPI_GROUPS)[number];

/** One group of a KPI report: an agency (code, name), a level, a procedure (code, name), a Vietnam day (YYYY-MM-DD) or a district code ('' for dossiers without one). */
export interface DossierKpiRow extends DossierKpis {
  key: string;
  label: string;
}

/** `GET /api/v1/dossiers/kpis`: the period, the groups, and the whole (not the sum of days: carried-over counts differ). */
export interface DossierKpiReport {
  fromMs: number;
  toMs: number;
  asOfMs: number;
  groupBy: DossierKpiGroup;
  total: DossierKpis;
  rows: DossierKpiRow[];
}

/** A dossier past its due time and not finished (`GET /api/v1/dossiers/overdue`). */
export interface OverdueDossier {
  dossierId: string;
  procedureCode: string;
  procedureName: string;
  agencyCode: string;
  agencyName: string;
  administrativeLevel: string;
  districtCode: string | null;
  channel: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  overdueHours: number;
}
