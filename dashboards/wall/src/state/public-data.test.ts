import { describe, expect, it } from 'vitest';
import { dossierHasData, parseDossierSummary, parseFieldReports, parseIncidents } from './public-data';

const NOW = Date.UTC(2026, 10, 24, 3);

describe('public data parsers', () => {
  it('dossier KPIs with agencies, most overdue first; nonsense gives no data', () => {
    const summary = parseDossierSummary({
      groupBy: 'agency',
      total: { received: 120, resolved: 95, onTimeRatePercent: 97.5, inProgressOverdue: 4 },
      rows: [
        { key: 'STP', label: 'Sở Tư pháp', inProgressOverdue: 1 },
        { key: 'SXD', label: 'Sở Xây dựng', inProgressOverdue: 3 },
        { key: 'SYT', label: 'Sở Y tế', inProgressOverdue: 0 },
      ],
    });
    expect(summary).toEqual({ received: 120, resolved: 95, onTimeRatePercent: 97.5, overdue: 4, agencies: [{ name: 'Sở Xây dựng', overdue: 3 }, { name: 'Sở Tư pháp', overdue: 1 }] });
    expect(dossierHasData(parseDossierSummary('nonsense'))).toBe(false);
    expect(dossierHasData(parseDossierSummary({ total: { received: 0, resolved: 0, onTimeRatePercent: null }, rows: [] }))).toBe(false);
  });

  it('Open311 requests by status, overdue past expected_datetime', () => {
    const summary = parseFieldReports(
      [
        { service_request_id: '1', status: 'open', lat: 10.78, long: 106.69, expected_datetime: new Date(NOW - 1000).toISOString(), requested_datetime: new Date(NOW - 5000).toISOString() },
        { service_request_id: '2', status: 'closed', expected_datetime: new Date(NOW - 1000).toISOString() },
        { service_request_id: '3', status: 'open' },
      ],
      NOW,
    );
    expect(summary.byStatus).toEqual({ open: 2, closed: 1 });
    expect(summary.overdue).toBe(1);
    expect(summary.points).toEqual([{ id: '1', position: [106.69, 10.78], requestedAtMs: NOW - 5000, status: 'open' }]);
  });

  it('open incidents by severity', () => {
    const summary = parseIncidents({ incidents: [{ id: 'a', severity: 'high', status: 'open', location: { type: 'Point', coordinates: [106.69, 10.78] } }, { id: 'b', severity: 'high', status: 'closed' }, { id: 'c' }] });
    expect(summary.bySeverity).toEqual({ high: 1, medium: 1 });
    expect(summary.points.map((point) => point.id)).toEqual(['a']);
  });
});
