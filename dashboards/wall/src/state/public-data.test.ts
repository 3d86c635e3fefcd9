import { describe, expect, it } from 'vitest';
import type { AlertRecord, FieldReport } from '@ioc/schemas';
import { dossierHasData, parseDossierSummary, parseFieldReport, parseFieldReportLists, parseIncidents } from './public-data';

const NOW = Date.UTC(2026, 10, 24, 3);
const iso = (ms: number) => new Date(ms).toISOString();
const PHOTO = 'a'.repeat(64);

/** A report as `GET /api/v1/field-reports` answers (typed by the wire contract, so a renamed field breaks this test). */
function report(overrides: Partial<FieldReport>): FieldReport {
  return {
    id: 'PA-1',
    serviceCode: 'GT-OGA',
    status: 'new',
    description: 'Ổ gà lớn trước số 12 Mường Thanh',
    agencyResponsible: null,
    statusNotes: null,
    serviceNotice: null,
    latitude: 21.386,
    longitude: 103.017,
    address: null,
    addressId: null,
    zipcode: null,
    attributes: {},
    mediaSha256: null,
    externalMediaUrl: null,
    contact: { phone: '0912345678' },
    apiKeyName: null,
    requestedAt: iso(NOW - 3_600_000),
    updatedAt: iso(NOW - 3_600_000),
    expectedAt: iso(NOW + 20 * 3_600_000),
    closedAt: null,
    ...overrides,
  };
}

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

  it.each([
    {
      name: 'an open report with a position, a due time and a photo; no contact details kept',
      input: report({ mediaSha256: PHOTO, agencyResponsible: 'UBND phường Mường Thanh', status: 'assigned' }),
      expected: {
        id: 'PA-1',
        serviceCode: 'GT-OGA',
        status: 'assigned',
        description: 'Ổ gà lớn trước số 12 Mường Thanh',
        agency: 'UBND phường Mường Thanh',
        position: [103.017, 21.386],
        requestedAtMs: NOW - 3_600_000,
        expectedAtMs: NOW + 20 * 3_600_000,
        closedAtMs: undefined,
        photoSha256: PHOTO,
      },
    },
    {
      name: 'resolved, no position, no due time',
      input: report({ status: 'resolved', latitude: null, longitude: null, expectedAt: null, closedAt: iso(NOW - 60_000) }),
      expected: expect.objectContaining({ status: 'resolved', position: undefined, expectedAtMs: undefined, closedAtMs: NOW - 60_000 }),
    },
    { name: 'an Open311 status is not a triage status', input: { ...report({}), status: 'open' }, expected: undefined },
    { name: 'no id', input: { ...report({}), id: '' }, expected: undefined },
    { name: 'no time', input: { ...report({}), requestedAt: 'yesterday' }, expected: undefined },
    { name: 'not a photo hash', input: report({ mediaSha256: '../../etc/passwd' }), expected: expect.objectContaining({ photoSha256: undefined }) },
  ])('field report: $name', ({ input, expected }) => {
    const parsed = parseFieldReport(input);
    expect(parsed).toEqual(expected);
    if (parsed) expect(parsed).not.toHaveProperty('contact');
  });

  it('field report lists (`{ total, reports }` per status) merge by id; nonsense is no reports', () => {
    const lists = [
      { total: 2, reports: [report({ id: 'PA-1' }), report({ id: 'PA-2' })] },
      { total: 1, reports: [report({ id: 'PA-2', status: 'assigned' })] },
      [report({ id: 'PA-3', status: 'resolved', closedAt: iso(NOW) })],
      'nonsense',
    ];
    expect(parseFieldReportLists(lists).map((item) => [item.id, item.status])).toEqual([
      ['PA-1', 'new'],
      ['PA-2', 'assigned'],
      ['PA-3', 'resolved'],
    ]);
    expect(parseFieldReportLists(['nonsense', { reports: 'x' }])).toEqual([]);
  });

  it('open incidents as GET /api/v1/incidents answers; closed and id-less ones are left out', () => {
    const open: AlertRecord['alert'] = { id: 'pm25Threshold-aq-1-1', type: 'Alert', category: 'environment', subCategory: 'airPollution', severity: 'high', dateIssued: iso(NOW - 5000), location: { type: 'Point', coordinates: [103.02, 21.39] }, description: 'PM2.5 92 µg/m³' };
    const body = {
      incidents: [
        { id: open.id, rule: 'pm25Threshold', status: 'open', severity: 'high', category: 'environment', subCategory: 'airPollution', description: open.description, deviceId: 'aq-1', location: open.location, openedAt: open.dateIssued, acknowledged: true },
        { id: 'deviceOffline-x-1', rule: 'deviceOffline', status: 'open', severity: 'medium', location: null, openedAt: iso(NOW), acknowledged: false },
        { id: 'closed-1', status: 'closed', severity: 'high' },
        { severity: 'high' },
      ],
    };
    expect(parseIncidents(body)).toEqual([
      { id: open.id, rule: 'pm25Threshold', severity: 'high', description: 'PM2.5 92 µg/m³', position: [103.02, 21.39], openedAtMs: NOW - 5000, acknowledged: true },
      { id: 'deviceOffline-x-1', rule: 'deviceOffline', severity: 'medium', description: null, position: undefined, openedAtMs: NOW, acknowledged: false },
    ]);
    expect(parseIncidents('nonsense')).toEqual([]);
  });
});
