import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../i18n';
import { compareUrgency, durationParts, fieldReportIdsIn, foldText, listQueryOf, matchesText, parseVietnamDateTime, slaStateOf, sortByUrgency, EMPTY_FILTERS, type QueueReport } from './queue';

const NOW_MS = Date.parse('2026-11-24T10:00:00Z');
const HOUR_MS = 3_600_000;
const iso = (offsetHours: number) => new Date(NOW_MS + offsetHours * HOUR_MS).toISOString();

function report(id: string, patch: Partial<QueueReport> = {}): QueueReport {
  return {
    id,
    status: 'assigned',
    serviceCode: 'GT-OGA',
    description: null,
    address: null,
    agencyResponsible: null,
    statusNotes: null,
    requestedAt: iso(-24),
    expectedAt: iso(24),
    closedAt: null,
    updatedAt: iso(-1),
    ...patch,
  };
}

describe('slaStateOf', () => {
  it.each([
    { name: 'past due', patch: { expectedAt: iso(-0.01) }, state: 'overdue' },
    { name: 'due in 3 h', patch: { expectedAt: iso(3) }, state: 'dueSoon' },
    { name: 'due exactly at the 4 h edge', patch: { expectedAt: iso(4) }, state: 'dueSoon' },
    { name: 'due in 5 h', patch: { expectedAt: iso(5) }, state: 'onTrack' },
    { name: 'no due time', patch: { expectedAt: null }, state: 'noDue' },
    { name: 'resolved after its due time', patch: { status: 'resolved' as const, expectedAt: iso(-50), closedAt: iso(-1) }, state: 'closed' },
    { name: 'new and past due', patch: { status: 'new' as const, expectedAt: iso(-2) }, state: 'overdue' },
  ])('$name → $state', ({ patch, state }) => {
    expect(slaStateOf(report('x', patch), NOW_MS)).toBe(state);
  });
});

describe('sortByUrgency', () => {
  it.each([
    {
      name: 'longest overdue first, then due soon, then on track, resolved last',
      reports: [report('ontrack', { expectedAt: iso(30) }), report('resolved', { status: 'resolved', closedAt: iso(-1) }), report('late1h', { expectedAt: iso(-1) }), report('soon', { expectedAt: iso(2) }), report('late9h', { expectedAt: iso(-9) })],
      order: ['late9h', 'late1h', 'soon', 'ontrack', 'resolved'],
    },
    {
      name: 'untriaged before assigned at the same SLA state',
      reports: [report('assigned', { expectedAt: iso(10) }), report('new', { status: 'new', expectedAt: iso(40) })],
      order: ['new', 'assigned'],
    },
    {
      name: 'earlier due first, then the older report',
      reports: [report('later', { expectedAt: iso(20) }), report('younger', { expectedAt: iso(10), requestedAt: iso(-2) }), report('older', { expectedAt: iso(10), requestedAt: iso(-30) })],
      order: ['older', 'younger', 'later'],
    },
    {
      name: 'resolved: most recently closed first',
      reports: [report('closedEarly', { status: 'resolved', closedAt: iso(-30) }), report('closedLate', { status: 'resolved', closedAt: iso(-2) })],
      order: ['closedLate', 'closedEarly'],
    },
  ])('$name', ({ reports, order }) => {
    expect(sortByUrgency(reports, NOW_MS).map((item) => item.id)).toEqual(order);
  });

  it('is a consistent comparison (antisymmetric) over every pair', () => {
    const reports = [report('a', { expectedAt: iso(-3) }), report('b', { status: 'new', expectedAt: null }), report('c', { status: 'resolved', closedAt: iso(-5) }), report('d', { expectedAt: iso(1) })];
    for (const left of reports) for (const right of reports) expect(Math.sign(compareUrgency(left, right, NOW_MS))).toBe(-Math.sign(compareUrgency(right, left, NOW_MS)) || 0);
  });
});

describe('text filter', () => {
  const pothole = report('26-00000042', { description: 'Ổ gà lớn giữa làn xe máy', address: 'Đường Võ Nguyên Giáp, phường Mường Thanh', agencyResponsible: 'Sở Xây dựng' });
  it.each([
    { query: '', matches: true },
    { query: '26-00000042', matches: true },
    { query: 'duong vo nguyen giap', matches: true },
    { query: 'Đường   MƯỜNG thanh', matches: true },
    { query: 'o ga', matches: true },
    { query: 'xay dung', matches: true },
    { query: 'ổ voi', matches: true },
    { query: 'ngập', matches: false },
    { query: 'giap 43', matches: false },
  ])('"$query" → $matches', ({ query, matches }) => {
    expect(matchesText(pothole, query, 'Ổ gà, ổ voi trên đường')).toBe(matches);
  });

  it.each([
    { text: 'Điện Biên Phủ', folded: 'dien bien phu' },
    { text: 'Ổ GÀ', folded: 'o ga' },
    { text: 'ABC-123', folded: 'abc-123' },
  ])('folds $text', ({ text, folded }) => {
    expect(foldText(text)).toBe(folded);
  });
});

describe('listQueryOf', () => {
  it.each([
    { filters: EMPTY_FILTERS, query: 'limit=500' },
    { filters: { ...EMPTY_FILTERS, status: 'new' as const, text: 'ignored here' }, query: 'status=new&limit=500' },
    { filters: { ...EMPTY_FILTERS, serviceCode: 'TN-NGAP', agency: ' Sở Xây dựng ', overdueOnly: true }, query: 'serviceCode=TN-NGAP&agency=S%E1%BB%9F+X%C3%A2y+d%E1%BB%B1ng&overdue=true&limit=500' },
  ])('$query', ({ filters, query }) => {
    expect(listQueryOf(filters)).toBe(query);
  });
});

describe('parseVietnamDateTime', () => {
  it.each([
    { text: '25/11/2026 17:30', iso: '2026-11-25T10:30:00.000Z' },
    { text: '25/11/2026 03:00', iso: '2026-11-24T20:00:00.000Z' },
    { text: ' 5/1/2027 8:05 ', iso: '2027-01-05T01:05:00.000Z' },
    { text: '31/12/2026 23h59', iso: '2026-12-31T16:59:00.000Z' },
    { text: '31/02/2026 10:00', iso: undefined },
    { text: '25/11/2026 24:00', iso: undefined },
    { text: '25/13/2026 10:00', iso: undefined },
    { text: '2026-11-25T10:00', iso: undefined },
    { text: '25/11/2026', iso: undefined },
    { text: '', iso: undefined },
  ])('"$text" → $iso', ({ text, iso: expected }) => {
    const ms = parseVietnamDateTime(text);
    expect(ms === undefined ? undefined : new Date(ms).toISOString()).toBe(expected);
  });

  it.each([Date.parse('2026-11-25T10:30:00Z'), Date.parse('2026-12-31T17:00:00Z'), Date.parse('2027-02-28T16:59:00Z')])('reads back what formatDateTime writes (%i)', (ms) => {
    expect(parseVietnamDateTime(formatDateTime(ms))).toBe(ms);
  });
});

describe('durationParts', () => {
  it.each([
    { ms: 0, parts: { days: 0, hours: 0, minutes: 0 } },
    { ms: 59_999, parts: { days: 0, hours: 0, minutes: 0 } },
    { ms: -(2 * HOUR_MS + 5 * 60_000), parts: { days: 0, hours: 2, minutes: 5 } },
    { ms: 47 * HOUR_MS + 59 * 60_000, parts: { days: 0, hours: 47, minutes: 59 } },
    { ms: 50 * HOUR_MS, parts: { days: 2, hours: 2, minutes: 0 } },
  ])('$ms ms', ({ ms, parts }) => {
    expect(durationParts(ms)).toEqual(parts);
  });
});

describe('fieldReportIdsIn', () => {
  it.each([
    { name: 'no events', events: [], ids: [] },
    {
      name: 'field-report alerts only, once each',
      events: [
        { type: 'alert.raised', alert: { category: 'citizenReport', alertSource: '26-00000001' } },
        { type: 'alert.raised', alert: { category: 'traffic', alertSource: 'cam-1' } },
        { type: 'sensor.readings' },
        { type: 'alert.raised', alert: { category: 'citizenReport', alertSource: '26-00000001' } },
        { type: 'alert.raised', alert: { category: 'citizenReport', alertSource: '26-00000002' } },
      ],
      ids: ['26-00000001', '26-00000002'],
    },
  ])('$name', ({ events, ids }) => {
    expect(fieldReportIdsIn(events)).toEqual(ids);
  });
});
