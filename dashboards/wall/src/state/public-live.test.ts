import { describe, expect, it } from 'vitest';
import type { Alert } from '@ioc/schemas';
import type { FieldReportItem, IncidentItem } from './public-data';
import { alertKind, applyFieldReportPoll, applyIncidentPoll, applyLiveAlerts, fieldReportsOnMap, initialPublicLive, slaClassOf, summarizeFieldReports, summarizeIncidents, tickerRows } from './public-live';

// 10:00 in Vietnam (03:00 UTC): the Vietnam day started at 17:00 UTC the day before.
const NOW = Date.UTC(2026, 10, 24, 3);
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function item(overrides: Partial<FieldReportItem>): FieldReportItem {
  return { id: 'PA-1', serviceCode: 'GT-OGA', status: 'new', description: 'Ổ gà', agency: null, position: [103.01, 21.38], requestedAtMs: NOW - HOUR, expectedAtMs: NOW + 47 * HOUR, closedAtMs: undefined, photoSha256: undefined, ...overrides };
}

function incident(overrides: Partial<IncidentItem>): IncidentItem {
  return { id: 'i-1', rule: 'pm25Threshold', severity: 'high', description: null, position: [103.01, 21.38], openedAtMs: NOW - HOUR, acknowledged: false, ...overrides };
}

/** The alert the API announces for a report (packages/api/src/open311-format.ts `fieldReportAlert`). */
function reportAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  return { id: `field-report-${id}`, type: 'Alert', category: 'citizenReport', subCategory: 'fieldReport', severity: 'low', dateIssued: iso(NOW - 1000), description: `Phản ánh ${id}: Ổ gà — mới tiếp nhận`, location: { type: 'Point', coordinates: [103.02, 21.39] }, alertSource: id, ...overrides };
}

/** An incident the engine publishes (ingest/src/incidents/incident-engine.ts). */
function incidentAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  return { id, type: 'Alert', category: 'environment', subCategory: 'airPollution', severity: 'high', dateIssued: iso(NOW - 2000), validFrom: iso(NOW - 2000), location: { type: 'Point', coordinates: [103.03, 21.4] }, alertSource: 'aq-1', ...overrides };
}

const violation: Alert = { id: 'v-1', type: 'Alert', category: 'traffic', subCategory: 'redLightViolation', severity: 'medium', dateIssued: iso(NOW) };

describe('field reports and incidents, live', () => {
  it.each([
    { alert: violation, kind: 'violation' },
    { alert: reportAlert('PA-1'), kind: 'fieldReport' },
    { alert: incidentAlert('a'), kind: 'incident' },
    { alert: { ...violation, subCategory: 'trafficJam' } as Alert, kind: 'incident' },
    { alert: { ...violation, category: 'security', subCategory: 'deviceOffline' } as Alert, kind: 'incident' },
  ])('$alert.category/$alert.subCategory is a $kind', ({ alert, kind }) => {
    expect(alertKind(alert)).toBe(kind);
  });

  it('violations alone leave the state as it is (no re-render at 200 events/s)', () => {
    const state = initialPublicLive();
    expect(applyLiveAlerts(state, [violation, violation]).state).toBe(state);
  });

  it.each([
    { name: 'a new report appears as new', known: undefined, alert: reportAlert('PA-9'), status: 'new', requestedAtMs: NOW - 1000 },
    { name: 'an assigned report keeps its status on a note', known: item({ id: 'PA-9', status: 'assigned' }), alert: reportAlert('PA-9'), status: 'assigned', requestedAtMs: NOW - HOUR },
    { name: 'resolved when the alert has validTo', known: item({ id: 'PA-9', status: 'assigned' }), alert: reportAlert('PA-9', { validTo: iso(NOW) }), status: 'resolved', requestedAtMs: NOW - HOUR },
    { name: 'reopened when a resolved report comes back open', known: item({ id: 'PA-9', status: 'resolved', closedAtMs: NOW - HOUR }), alert: reportAlert('PA-9'), status: 'new', requestedAtMs: NOW - HOUR },
  ])('report alert: $name', ({ known, alert, status, requestedAtMs }) => {
    const state = known ? applyFieldReportPoll(initialPublicLive(), [known], {}, NOW) : initialPublicLive();
    const result = applyLiveAlerts(state, [alert]);
    const report = result.state.fieldReports['PA-9'];
    expect(result.fieldReportIds).toEqual(['PA-9']);
    expect(report?.status).toBe(status);
    expect(report?.requestedAtMs).toBe(requestedAtMs);
    expect(report?.closedAtMs).toBe(status === 'resolved' ? NOW : undefined);
    expect(report?.position).toEqual([103.02, 21.39]);
    expect(result.state.notices.map((notice) => notice.id)).toEqual(['field-report-PA-9']);
  });

  it('incident alerts open, escalate and close incidents; acknowledgement from the poll is kept', () => {
    let state = applyIncidentPoll(initialPublicLive(), [incident({ id: 'a', severity: 'high', acknowledged: true })], {}, NOW);
    state = applyLiveAlerts(state, [incidentAlert('a', { severity: 'critical' }), incidentAlert('b'), violation]).state;
    expect(state.incidents.a).toMatchObject({ severity: 'critical', acknowledged: true });
    expect(state.incidents.b).toMatchObject({ severity: 'high', acknowledged: false, position: [103.03, 21.4], openedAtMs: NOW - 2000 });
    state = applyLiveAlerts(state, [incidentAlert('a', { validTo: iso(NOW) })]).state;
    expect(Object.keys(state.incidents)).toEqual(['b']);
    expect(state.notices.map((notice) => notice.id)).toEqual(['a', 'b']);
  });

  it('a poll sent before a live update does not undo it; an older touch does not hold back a newer poll', () => {
    let state = applyLiveAlerts(initialPublicLive(), [incidentAlert('new-one'), reportAlert('PA-7')]).state;
    state = applyIncidentPoll(state, [incident({ id: 'polled' })], { 'new-one': NOW }, NOW - 500);
    expect(Object.keys(state.incidents).sort()).toEqual(['new-one', 'polled']);
    state = applyIncidentPoll(state, [incident({ id: 'polled' })], { 'new-one': NOW }, NOW + 500);
    expect(Object.keys(state.incidents)).toEqual(['polled']);
    // Closed live after the poll was sent: stays closed although the poll still lists it.
    state = applyLiveAlerts(state, [incidentAlert('polled', { validTo: iso(NOW) })]).state;
    state = applyIncidentPoll(state, [incident({ id: 'polled' })], { polled: NOW + 1000 }, NOW + 900);
    expect(state.incidents).toEqual({});
    state = applyFieldReportPoll(state, [item({ id: 'PA-1' })], { 'PA-7': NOW }, NOW - 1);
    expect(Object.keys(state.fieldReports).sort()).toEqual(['PA-1', 'PA-7']);
  });

  it.each([
    { name: 'no due time', report: { requestedAtMs: NOW - HOUR, expectedAtMs: undefined }, expected: 'onTime' },
    { name: 'plenty of time left', report: { requestedAtMs: NOW - HOUR, expectedAtMs: NOW + 47 * HOUR }, expected: 'onTime' },
    { name: 'under 20 % of a 48 h SLA left', report: { requestedAtMs: NOW - 40 * HOUR, expectedAtMs: NOW + 8 * HOUR }, expected: 'nearDue' },
    { name: 'under an hour left of a short SLA', report: { requestedAtMs: NOW - HOUR, expectedAtMs: NOW + HOUR / 2 }, expected: 'nearDue' },
    { name: 'past due', report: { requestedAtMs: NOW - 50 * HOUR, expectedAtMs: NOW - 1 }, expected: 'overdue' },
  ])('SLA: $name → $expected', ({ report, expected }) => {
    expect(slaClassOf(report, NOW)).toBe(expected);
  });

  it('summary: open ones by status and SLA, resolved today on time or late; yesterday’s resolved ones left out', () => {
    const reports = Object.fromEntries(
      [
        item({ id: '1', status: 'new' }),
        item({ id: '2', status: 'assigned', expectedAtMs: NOW - 1 }),
        item({ id: '3', status: 'assigned', requestedAtMs: NOW - 40 * HOUR, expectedAtMs: NOW + 8 * HOUR }),
        item({ id: '4', status: 'resolved', closedAtMs: NOW - HOUR, expectedAtMs: NOW }),
        item({ id: '5', status: 'resolved', closedAtMs: NOW - HOUR, expectedAtMs: NOW - 2 * HOUR }),
        item({ id: '6', status: 'resolved', closedAtMs: NOW - 11 * HOUR }),
      ].map((report) => [report.id, report]),
    );
    expect(summarizeFieldReports(reports, NOW)).toEqual({
      byStatus: { new: 1, assigned: 2, resolved: 2 },
      sla: { onTime: 1, nearDue: 1, overdue: 1 },
      resolvedToday: { onTime: 1, late: 1 },
      total: 5,
    });
    expect(fieldReportsOnMap(reports, NOW).map((report) => report.id)).toEqual(['1', '2', '3']);
    expect(fieldReportsOnMap(reports, NOW, 2 * HOUR).map((report) => report.id)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('incidents by severity: open and acknowledged', () => {
    const incidents = Object.fromEntries([incident({ id: 'a' }), incident({ id: 'b', acknowledged: true }), incident({ id: 'c', severity: 'critical' })].map((entry) => [entry.id, entry]));
    expect(summarizeIncidents(incidents)).toEqual({ bySeverity: { high: { open: 1, acknowledged: 1 }, critical: { open: 1, acknowledged: 0 } }, total: 3 });
  });

  it('the ticker keeps recent incidents and reports (live or polled) above the flood of violations', () => {
    const recent = incidentAlert('recent', { dateIssued: iso(NOW - 60_000), description: 'Bụi PM2.5 120 µg/m³ (ngưỡng 80) — Trạm 1' });
    const old = incidentAlert('old', { dateIssued: iso(NOW - HOUR) });
    const polled = { incidents: { p: incident({ id: 'p', openedAtMs: NOW - 120_000, description: 'Mất tín hiệu 5 phút — Trạm 2' }) }, fieldReports: { 'PA-3': item({ id: 'PA-3', requestedAtMs: NOW - 30_000 }), 'PA-4': item({ id: 'PA-4', status: 'resolved', requestedAtMs: NOW - 30_000 }) } };
    const latest = Array.from({ length: 25 }, (_unused, index): Alert => ({ ...violation, id: `v-${index}` }));
    const rows = tickerRows({ notices: [recent, old], ...polled }, [recent, ...latest], NOW);
    expect(rows.length).toBe(20);
    expect(rows.slice(0, 4).map((row) => [row.id, row.kind])).toEqual([
      ['field-report-PA-3', 'fieldReport'],
      ['recent', 'incident'],
      ['p', 'incident'],
      ['v-0', 'violation'],
    ]);
    expect(rows[1]?.text).toBe('Bụi PM2.5 120 µg/m³ (ngưỡng 80) — Trạm 1');
    expect(rows[0]).toMatchObject({ text: undefined, detail: 'Ổ gà' });
    expect(rows.some((row) => row.id === 'old' || row.id === 'field-report-PA-4')).toBe(false);
  });
});
