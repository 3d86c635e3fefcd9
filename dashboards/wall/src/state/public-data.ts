/**
 * The shapes the wall reads from the public-service and incident endpoints, parsed leniently: what is missing
 * or malformed is left out (the panel then shows "no data yet"), never a crash. Field names follow the contracts
 * in ARCHITECTURE.md (dossier KPIs from @ioc/schemas' `DossierKpis`; Open311 GeoReport v2; Smart Data Models
 * severities).
 */
export interface DossierSummary {
  received: number | undefined;
  resolved: number | undefined;
  onTimeRatePercent: number | undefined;
  overdue: number | undefined;
  /** Agencies with the most overdue dossiers, most first. */
  agencies: Array<{ name: string; overdue: number }>;
}

export interface FieldReportSummary {
  byStatus: Record<string, number>;
  /** Open requests past their `expected_datetime`. */
  overdue: number;
  total: number;
  /** Open311 requests with a position, for the map. */
  points: Array<{ id: string; position: [number, number]; requestedAtMs: number; status: string }>;
}

export interface IncidentSummary {
  bySeverity: Record<string, number>;
  total: number;
  points: Array<{ id: string; position: [number, number]; severity: string; openedAtMs: number }>;
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

/** An Open311 GeoReport v2 `requests.json` array (or `{ requests: [...] }`). */
export function parseFieldReports(body: unknown, nowMs: number): FieldReportSummary {
  const list = Array.isArray(body) ? body : Array.isArray(record(body).requests) ? (record(body).requests as unknown[]) : [];
  const summary: FieldReportSummary = { byStatus: {}, overdue: 0, total: 0, points: [] };
  for (const item of list) {
    const request = record(item);
    const status = typeof request.status === 'string' ? request.status : 'open';
    summary.total += 1;
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    const expectedMs = typeof request.expected_datetime === 'string' ? Date.parse(request.expected_datetime) : Number.NaN;
    if (status !== 'closed' && Number.isFinite(expectedMs) && expectedMs < nowMs) summary.overdue += 1;
    const lat = numberOr(request.lat);
    const long = numberOr(request.long);
    if (lat !== undefined && long !== undefined) {
      const requestedAtMs = typeof request.requested_datetime === 'string' ? Date.parse(request.requested_datetime) : Number.NaN;
      summary.points.push({ id: String(request.service_request_id ?? summary.total), position: [long, lat], requestedAtMs: Number.isFinite(requestedAtMs) ? requestedAtMs : 0, status });
    }
  }
  return summary;
}

/** `{ incidents: [{ id, severity, status, location, openedAt }] }` or an array of them; closed ones are left out. */
export function parseIncidents(body: unknown): IncidentSummary {
  const list = Array.isArray(body) ? body : Array.isArray(record(body).incidents) ? (record(body).incidents as unknown[]) : [];
  const summary: IncidentSummary = { bySeverity: {}, total: 0, points: [] };
  for (const item of list) {
    const incident = record(item);
    if (incident.status === 'closed' || incident.status === 'resolved') continue;
    const severity = typeof incident.severity === 'string' ? incident.severity : 'medium';
    summary.total += 1;
    summary.bySeverity[severity] = (summary.bySeverity[severity] ?? 0) + 1;
    const coordinates = record(incident.location).coordinates;
    if (Array.isArray(coordinates) && typeof coordinates[0] === 'number' && typeof coordinates[1] === 'number') {
      const opened = typeof incident.openedAt === 'string' ? Date.parse(incident.openedAt) : typeof incident.dateIssued === 'string' ? Date.parse(incident.dateIssued) : Number.NaN;
      summary.points.push({ id: String(incident.id ?? summary.total), position: [coordinates[0], coordinates[1]], severity, openedAtMs: Number.isFinite(opened) ? opened : 0 });
    }
  }
  return summary;
}
