import { FIELD_REPORT_STATUSES, INCIDENT_RULES, type FieldReportStatus, type IncidentRule } from '@ioc/schemas';

/**
 * The shapes the wall reads from the public-service and incident endpoints, parsed leniently: what is missing
 * or malformed is left out (the panel then shows "no data yet"), never a crash. Field names follow the wire
 * contracts in @ioc/schemas: `DossierKpis`; `FieldReport` (the operator list `GET /api/v1/field-reports`, which
 * has the triage status and due time that Open311's open/closed lacks); the incident list of
 * packages/api/src/incidents.ts; Smart Data Models severities.
 */
export interface DossierSummary {
  received: number | undefined;
  resolved: number | undefined;
  onTimeRatePercent: number | undefined;
  overdue: number | undefined;
  /** Agencies with the most overdue dossiers, most first. */
  agencies: Array<{ name: string; overdue: number }>;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * `GET /api/v1/dossiers/kpis?groupBy=agency` — `{ total: DossierKpis, rows: [{ key, label, …DossierKpis }] }` —
 * or a bare `DossierKpis`.
 */
export function parseDossierSummary(body: unknown): DossierSummary {
  const root = record(body);
  const kpis = record(root.total ?? root.kpis ?? root);
  const agencyList = Array.isArray(root.rows) ? root.rows : Array.isArray(root.byAgency) ? root.byAgency : [];
  const agencies = agencyList
    .map((item) => {
      const entry = record(item);
      const agencyKpis = record(entry.kpis ?? entry);
      const name = [entry.label, entry.agencyName, entry.name, entry.key].find((value): value is string => typeof value === 'string' && value !== '');
      const overdue = numberOr(agencyKpis.inProgressOverdue) ?? numberOr(agencyKpis.late) ?? numberOr(agencyKpis.overdue);
      return name && overdue !== undefined ? { name, overdue } : undefined;
    })
    .filter((entry): entry is { name: string; overdue: number } => entry !== undefined && entry.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue);
  return {
    received: numberOr(kpis.received),
    resolved: numberOr(kpis.resolved),
    onTimeRatePercent: numberOr(kpis.onTimeRatePercent) ?? undefined,
    overdue: numberOr(kpis.inProgressOverdue),
    agencies,
  };
}

export function dossierHasData(summary: DossierSummary): boolean {
  return (summary.received ?? 0) > 0 || (summary.resolved ?? 0) > 0 || summary.onTimeRatePercent !== undefined || summary.agencies.length > 0;
}

/** A citizen's field report as the wall keeps it (no contact details: the wall never shows who reported). */
export interface FieldReportItem {
  id: string;
  serviceCode: string;
  status: FieldReportStatus;
  /** The citizen's description, as the title of the report's card. */
  description: string | null;
  agency: string | null;
  position: [number, number] | undefined;
  requestedAtMs: number;
  /** The due time (SLA): `expectedAt`; undefined when none was set. */
  expectedAtMs: number | undefined;
  closedAtMs: number | undefined;
  /** sha256 of the stored photo (served at /open311/v2/media/<sha256>.jpg). */
  photoSha256: string | undefined;
}

export interface IncidentItem {
  id: string;
  rule: IncidentRule | undefined;
  severity: string;
  description: string | null;
  position: [number, number] | undefined;
  openedAtMs: number;
  acknowledged: boolean;
}

function timeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function pointOf(value: unknown): [number, number] | undefined {
  const coordinates = record(value).coordinates;
  return Array.isArray(coordinates) && typeof coordinates[0] === 'number' && typeof coordinates[1] === 'number' && Number.isFinite(coordinates[0]) && Number.isFinite(coordinates[1])
    ? [coordinates[0], coordinates[1]]
    : undefined;
}

/** One `FieldReport` of `GET /api/v1/field-reports` (`{ total, reports }`); undefined when it lacks an id, a status or a time. */
export function parseFieldReport(item: unknown): FieldReportItem | undefined {
  const report = record(item);
  const id = typeof report.id === 'string' && report.id !== '' ? report.id : undefined;
  const status = (FIELD_REPORT_STATUSES as readonly unknown[]).includes(report.status) ? (report.status as FieldReportStatus) : undefined;
  const requestedAtMs = timeMs(report.requestedAt);
  if (!id || !status || requestedAtMs === undefined) return undefined;
  const latitude = numberOr(report.latitude);
  const longitude = numberOr(report.longitude);
  const photo = typeof report.mediaSha256 === 'string' && /^[0-9a-f]{64}$/.test(report.mediaSha256) ? report.mediaSha256 : undefined;
  return {
    id,
    serviceCode: typeof report.serviceCode === 'string' ? report.serviceCode : '',
    status,
    description: stringOrNull(report.description),
    agency: stringOrNull(report.agencyResponsible),
    position: latitude !== undefined && longitude !== undefined ? [longitude, latitude] : undefined,
    requestedAtMs,
    expectedAtMs: timeMs(report.expectedAt),
    closedAtMs: timeMs(report.closedAt),
    photoSha256: photo,
  };
}

/**
 * Several field-report lists (the open ones, the recently resolved ones), each `{ total, reports }` or a bare
 * array, merged by id.
 */
export function parseFieldReportLists(bodies: readonly unknown[]): FieldReportItem[] {
  const byId = new Map<string, FieldReportItem>();
  for (const body of bodies) {
    const list = Array.isArray(body) ? body : Array.isArray(record(body).reports) ? (record(body).reports as unknown[]) : [];
    for (const item of list) {
      const report = parseFieldReport(item);
      if (report) byId.set(report.id, report);
    }
  }
  return [...byId.values()];
}

/** `GET /api/v1/incidents`: `{ incidents: [{ id, rule, severity, status, location, openedAt, acknowledged }] }`; closed ones are left out. */
export function parseIncidents(body: unknown): IncidentItem[] {
  const list = Array.isArray(body) ? body : Array.isArray(record(body).incidents) ? (record(body).incidents as unknown[]) : [];
  const items: IncidentItem[] = [];
  for (const entry of list) {
    const incident = record(entry);
    if (typeof incident.id !== 'string' || incident.id === '' || incident.status === 'closed') continue;
    items.push({
      id: incident.id,
      rule: (INCIDENT_RULES as readonly unknown[]).includes(incident.rule) ? (incident.rule as IncidentRule) : undefined,
      severity: typeof incident.severity === 'string' ? incident.severity : 'medium',
      description: stringOrNull(incident.description),
      position: pointOf(incident.location),
      openedAtMs: timeMs(incident.openedAt) ?? timeMs(incident.dateIssued) ?? 0,
      acknowledged: incident.acknowledged === true,
    });
  }
  return items;
}
