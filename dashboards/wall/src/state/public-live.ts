import type { Alert, FieldReportStatus } from '@ioc/schemas';
import type { FieldReportItem, IncidentItem } from './public-data';
import { vietnamDayStart } from './traffic';
import { isViolation } from './violations';

/**
 * Field reports and system incidents as the wall shows them: the last poll of their REST lists, with the live
 * `alert.raised` events since applied on top, so a new report or incident is on the map and in the panels
 * within one render instead of one poll. Pure updaters (new state, never mutated), like the wall state.
 *
 * A report's alert (`category: citizenReport`, `alertSource` = report id, `validTo` once resolved) does not carry
 * the triage status or the due time: a live update marks it resolved, or new when it was not known; the next
 * poll (which a live update brings forward) fills in the rest. An incident's alert is the stored alert itself
 * (same id as `GET /api/v1/incidents`): open while it has no `validTo`.
 */
export interface PublicLiveState {
  fieldReports: Readonly<Record<string, FieldReportItem>>;
  incidents: Readonly<Record<string, IncidentItem>>;
  /** Latest incident and field-report alerts, newest first (the ticker keeps them above the violations). */
  notices: readonly Alert[];
  /** Bumped on every change, for cheap change detection in views. */
  version: number;
}

export const MAX_NOTICES = 20;

export function initialPublicLive(): PublicLiveState {
  return { fieldReports: {}, incidents: {}, notices: [], version: 0 };
}

export type AlertKind = 'violation' | 'fieldReport' | 'incident';

/** Violations are traffic alerts with a rule; field reports are `citizenReport`; everything else the system raised is an incident. */
export function alertKind(alert: Pick<Alert, 'category' | 'subCategory'>): AlertKind {
  if (isViolation(alert)) return 'violation';
  if (alert.category === 'citizenReport') return 'fieldReport';
  return 'incident';
}

/** A report's id from its alert: `alertSource`, else the id without its `field-report-` prefix. */
export function fieldReportIdOf(alert: Pick<Alert, 'id' | 'alertSource'>): string {
  return alert.alertSource ?? alert.id.replace(/^field-report-/, '');
}

/**
 * A new poll of the field-report lists replaces the reports, except those a live update touched after the poll
 * was sent (`polledAtMs`): the poll may predate them.
 */
export function applyFieldReportPoll(state: PublicLiveState, items: readonly FieldReportItem[], liveTouchedAtMs: Readonly<Record<string, number>>, polledAtMs: number): PublicLiveState {
  const next: Record<string, FieldReportItem> = {};
  for (const item of items) next[item.id] = item;
  for (const [id, touchedAtMs] of Object.entries(liveTouchedAtMs)) {
    const live = state.fieldReports[id];
    if (live && touchedAtMs > polledAtMs) next[id] = live;
  }
  return { ...state, fieldReports: next, version: state.version + 1 };
}

export function applyIncidentPoll(state: PublicLiveState, items: readonly IncidentItem[], liveTouchedAtMs: Readonly<Record<string, number>>, polledAtMs: number): PublicLiveState {
  const next: Record<string, IncidentItem> = {};
  for (const item of items) next[item.id] = item;
  for (const [id, touchedAtMs] of Object.entries(liveTouchedAtMs)) {
    if (touchedAtMs <= polledAtMs) continue;
    const live = state.incidents[id];
    // Touched since the poll: the live view wins — open (kept) or closed (dropped).
    if (live) next[id] = live;
    else delete next[id];
  }
  return { ...state, incidents: next, version: state.version + 1 };
}

function pointOf(alert: Alert): [number, number] | undefined {
  const coordinates = alert.location?.coordinates;
  return coordinates ? [coordinates[0], coordinates[1]] : undefined;
}

/**
 * Live alerts (a delta batch's `alert.raised` events, in order). Returns the same state when none concerns
 * reports or incidents (200 violation events a second must not re-render these views), and the ids touched.
 */
export function applyLiveAlerts(state: PublicLiveState, alerts: readonly Alert[]): { state: PublicLiveState; fieldReportIds: string[]; incidentIds: string[] } {
  const fieldReportIds: string[] = [];
  const incidentIds: string[] = [];
  let fieldReports: Record<string, FieldReportItem> | undefined;
  let incidents: Record<string, IncidentItem> | undefined;
  let notices: Alert[] | undefined;
  for (const alert of alerts) {
    const kind = alertKind(alert);
    if (kind === 'violation') continue;
    notices = [alert, ...(notices ?? state.notices).filter((notice) => notice.id !== alert.id)].slice(0, MAX_NOTICES);
    if (kind === 'fieldReport') {
      fieldReports ??= { ...state.fieldReports };
      const id = fieldReportIdOf(alert);
      const known = fieldReports[id];
      const closedAtMs = alert.validTo ? Date.parse(alert.validTo) : undefined;
      // Resolved when the alert says so; a report that comes back without validTo was reopened.
      const status: FieldReportStatus = closedAtMs !== undefined ? 'resolved' : known && known.status !== 'resolved' ? known.status : 'new';
      fieldReports[id] = {
        id,
        serviceCode: known?.serviceCode ?? '',
        description: known?.description ?? alert.description ?? null,
        agency: known?.agency ?? null,
        position: pointOf(alert) ?? known?.position,
        requestedAtMs: known?.requestedAtMs ?? (Date.parse(alert.dateIssued) || 0),
        expectedAtMs: known?.expectedAtMs,
        photoSha256: known?.photoSha256,
        status,
        closedAtMs: status === 'resolved' ? (closedAtMs ?? known?.closedAtMs) : undefined,
      };
      fieldReportIds.push(id);
    } else {
      incidents ??= { ...state.incidents };
      if (alert.validTo) {
        delete incidents[alert.id];
      } else {
        const known = incidents[alert.id];
        incidents[alert.id] = {
          id: alert.id,
          rule: known?.rule,
          severity: alert.severity,
          description: alert.description ?? known?.description ?? null,
          position: pointOf(alert) ?? known?.position,
          openedAtMs: Date.parse(alert.validFrom ?? alert.dateIssued) || known?.openedAtMs || 0,
          acknowledged: known?.acknowledged ?? false,
        };
      }
      incidentIds.push(alert.id);
    }
  }
  if (!notices) return { state, fieldReportIds, incidentIds };
  return {
    state: { fieldReports: fieldReports ?? state.fieldReports, incidents: incidents ?? state.incidents, notices, version: state.version + 1 },
    fieldReportIds,
    incidentIds,
  };
}

/* ---------- What the panels show ---------- */

/** An open report is near due once less than this share of its SLA time is left (or less than an hour). */
export const NEAR_DUE_SHARE = 0.2;
export const NEAR_DUE_MIN_MS = 3_600_000;

export type SlaClass = 'onTime' | 'nearDue' | 'overdue';

/** Where an open report stands against its due time; a report without one counts as on time. */
export function slaClassOf(report: Pick<FieldReportItem, 'requestedAtMs' | 'expectedAtMs'>, nowMs: number): SlaClass {
  if (report.expectedAtMs === undefined) return 'onTime';
  const leftMs = report.expectedAtMs - nowMs;
  if (leftMs < 0) return 'overdue';
  const spanMs = Math.max(0, report.expectedAtMs - report.requestedAtMs);
  return leftMs <= Math.max(NEAR_DUE_MIN_MS, NEAR_DUE_SHARE * spanMs) ? 'nearDue' : 'onTime';
}

export interface FieldReportSummary {
  /** Open reports by triage status, and the reports resolved today (Vietnam day). */
  byStatus: Record<FieldReportStatus, number>;
  /** Open reports against their due time. */
  sla: Record<SlaClass, number>;
  /** Reports resolved today: by their due time or after it. */
  resolvedToday: { onTime: number; late: number };
  total: number;
}

export function summarizeFieldReports(reports: Readonly<Record<string, FieldReportItem>>, nowMs: number): FieldReportSummary {
  const dayStartMs = vietnamDayStart(nowMs);
  const summary: FieldReportSummary = { byStatus: { new: 0, assigned: 0, resolved: 0 }, sla: { onTime: 0, nearDue: 0, overdue: 0 }, resolvedToday: { onTime: 0, late: 0 }, total: 0 };
  for (const report of Object.values(reports)) {
    if (report.status === 'resolved') {
      if (report.closedAtMs === undefined || report.closedAtMs < dayStartMs) continue;
      summary.byStatus.resolved += 1;
      if (report.expectedAtMs !== undefined && report.closedAtMs > report.expectedAtMs) summary.resolvedToday.late += 1;
      else summary.resolvedToday.onTime += 1;
    } else {
      summary.byStatus[report.status] += 1;
      summary.sla[slaClassOf(report, nowMs)] += 1;
    }
    summary.total += 1;
  }
  return summary;
}

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'] as const;

export interface IncidentSummary {
  /** Open incidents per severity: not yet acknowledged, and acknowledged by an operator. */
  bySeverity: Record<string, { open: number; acknowledged: number }>;
  total: number;
}

export function summarizeIncidents(incidents: Readonly<Record<string, IncidentItem>>): IncidentSummary {
  const summary: IncidentSummary = { bySeverity: {}, total: 0 };
  for (const incident of Object.values(incidents)) {
    const row = (summary.bySeverity[incident.severity] ??= { open: 0, acknowledged: 0 });
    if (incident.acknowledged) row.acknowledged += 1;
    else row.open += 1;
    summary.total += 1;
  }
  return summary;
}

/** Reports the map shows: the open ones and those resolved in the last `resolvedForMs` (they fade out after). */
export function fieldReportsOnMap(reports: Readonly<Record<string, FieldReportItem>>, nowMs: number, resolvedForMs = 3_600_000): FieldReportItem[] {
  return Object.values(reports).filter((report) => report.position !== undefined && (report.status !== 'resolved' || (report.closedAtMs !== undefined && nowMs - report.closedAtMs < resolvedForMs)));
}

/**
 * One line of the alerts ticker: `text` as the alert says it; else the view writes its kind before `detail`
 * (a polled report's description: "Phản ánh: …"), or names it by its rule or kind.
 */
export interface TickerRow {
  id: string;
  kind: AlertKind;
  severity: string;
  atMs: number;
  text: string | undefined;
  detail?: string | undefined;
  subCategory: string | undefined;
}

function rowOfAlert(alert: Alert): TickerRow {
  const kind = alertKind(alert);
  // A report's alert is re-sent on every status change: its time is the change's (dateModified).
  const at = kind === 'fieldReport' ? (alert.dateModified ?? alert.dateIssued) : alert.dateIssued;
  return { id: alert.id, kind, severity: alert.severity, atMs: Date.parse(at) || 0, text: alert.description, subCategory: alert.subCategory };
}

/**
 * The ticker: incidents and field reports of the last `pinForMs` first — those that arrived live, and those the
 * polls found (opened before the wall loaded) — newest first; then the rest of the latest alerts. At 200
 * violations a second the incidents would otherwise scroll off within a frame.
 */
export function tickerRows(state: Pick<PublicLiveState, 'notices' | 'incidents' | 'fieldReports'>, latest: readonly Alert[], nowMs: number, pinForMs = 10 * 60_000): TickerRow[] {
  const pinned = new Map<string, TickerRow>();
  for (const notice of state.notices) pinned.set(notice.id, rowOfAlert(notice));
  for (const incident of Object.values(state.incidents)) {
    if (!pinned.has(incident.id)) pinned.set(incident.id, { id: incident.id, kind: 'incident', severity: incident.severity, atMs: incident.openedAtMs, text: incident.description ?? undefined, subCategory: undefined });
  }
  for (const report of Object.values(state.fieldReports)) {
    const id = `field-report-${report.id}`;
    if (report.status !== 'resolved' && !pinned.has(id)) pinned.set(id, { id, kind: 'fieldReport', severity: 'low', atMs: report.requestedAtMs, text: undefined, detail: report.description ?? undefined, subCategory: 'fieldReport' });
  }
  const rows = [...pinned.values()].filter((row) => nowMs - row.atMs < pinForMs).sort((a, b) => b.atMs - a.atMs);
  const seen = new Set(rows.map((row) => row.id));
  for (const alert of latest) {
    if (rows.length >= MAX_NOTICES) break;
    if (!seen.has(alert.id)) rows.push(rowOfAlert(alert));
  }
  return rows.slice(0, MAX_NOTICES);
}
