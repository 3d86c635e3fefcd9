import { describe, expect, it } from 'vitest';
import { addWorkingDaysMs, computeDossierKpis, nearDueUntilMs, punctualityOf, vietnamDayStartMs, type DossierState } from './dossier-kpis';

/** Vietnam local time, e.g. vn('2025-03-03 08:00'). */
const vn = (text: string) => Date.parse(`${text.replace(' ', 'T')}:00+07:00`);

type Fixture = { name: string; received: string; due: string; finished?: string; outcome?: DossierState['outcome']; channel: DossierState['channel'] };

/** Hand-checked cases: the expected numbers below were worked out on paper from this table. */
const KPI_FIXTURE: readonly Fixture[] = [
  { name: 'A', received: '2025-02-25 09:00', due: '2025-03-04 17:00', finished: '2025-03-03 10:00', outcome: 'resolved', channel: 'inPerson' },
  { name: 'B', received: '2025-02-26 09:00', due: '2025-03-05 17:00', finished: '2025-03-05 16:00', outcome: 'resolved', channel: 'online' },
  { name: 'C', received: '2025-02-20 09:00', due: '2025-02-28 17:00', finished: '2025-03-06 09:00', outcome: 'resolved', channel: 'inPerson' },
  { name: 'D', received: '2025-02-20 10:00', due: '2025-02-27 17:00', finished: '2025-03-01 09:00', outcome: 'resolved', channel: 'online' },
  { name: 'E', received: '2025-03-03 08:00', due: '2025-03-04 17:00', finished: '2025-03-04 17:00', outcome: 'resolved', channel: 'online' },
  { name: 'F', received: '2025-03-03 09:00', due: '2025-03-05 17:00', finished: '2025-03-05 17:01', outcome: 'returned', channel: 'inPerson' },
  { name: 'G', received: '2025-03-04 10:00', due: '2025-03-06 17:00', channel: 'online' },
  { name: 'H', received: '2025-03-05 10:00', due: '2025-03-11 17:00', channel: 'postal' },
  { name: 'I', received: '2025-03-07 10:00', due: '2025-03-21 17:00', channel: 'online' },
  { name: 'J', received: '2025-03-06 10:00', due: '2025-03-13 17:00', finished: '2025-03-07 09:00', outcome: 'withdrawn', channel: 'online' },
  { name: 'K', received: '2025-03-07 11:00', due: '2025-03-14 17:00', finished: '2025-03-12 10:00', outcome: 'resolved', channel: 'inPerson' },
  { name: 'L', received: '2025-03-10 08:00', due: '2025-03-12 17:00', channel: 'online' },
  { name: 'M', received: '2025-02-27 09:00', due: '2025-03-06 17:00', finished: '2025-03-04 09:00', outcome: 'withdrawn', channel: 'inPerson' },
  { name: 'N', received: '2025-03-08 10:00', due: '2025-03-10 17:00', channel: 'online' },
];

function fixtureStates(): DossierState[] {
  return KPI_FIXTURE.map((row) => ({
    receivedAtMs: vn(row.received),
    dueAtMs: vn(row.due),
    finishedAtMs: row.finished ? vn(row.finished) : null,
    outcome: row.outcome ?? null,
    channel: row.channel,
  }));
}

/** The periods and their hand-computed KPIs (also checked against the SQL in tests/dossiers-kpis.test.ts). */
const KPI_CASES = [
  {
    name: 'the week of Monday 3 March 2025',
    fromMs: vn('2025-03-03 00:00'),
    toMs: vn('2025-03-10 00:00'),
    expected: {
      received: 8, receivedOnline: 5, carriedOver: 4, withdrawn: 2, toProcess: 10,
      resolved: 5, resolvedEarly: 1, resolvedOnTime: 2, resolvedLate: 2, returned: 1,
      inProgress: 5, inProgressNotYetDue: 2, inProgressNearDue: 2, inProgressOverdue: 1,
      late: 3, lateRatePercent: 30, onTimeRatePercent: 70, onlineSharePercent: 62.5,
    },
  },
  {
    name: 'Tuesday 4 March 2025 alone',
    fromMs: vn('2025-03-04 00:00'),
    toMs: vn('2025-03-05 00:00'),
    expected: {
      received: 1, receivedOnline: 1, carriedOver: 5, withdrawn: 1, toProcess: 5,
      resolved: 1, resolvedEarly: 0, resolvedOnTime: 1, resolvedLate: 0, returned: 0,
      inProgress: 4, inProgressNotYetDue: 0, inProgressNearDue: 3, inProgressOverdue: 1,
      late: 1, lateRatePercent: 20, onTimeRatePercent: 80, onlineSharePercent: 100,
    },
  },
  {
    name: 'a period before anything was received',
    fromMs: vn('2025-01-01 00:00'),
    toMs: vn('2025-02-01 00:00'),
    expected: {
      received: 0, receivedOnline: 0, carriedOver: 0, withdrawn: 0, toProcess: 0,
      resolved: 0, resolvedEarly: 0, resolvedOnTime: 0, resolvedLate: 0, returned: 0,
      inProgress: 0, inProgressNotYetDue: 0, inProgressNearDue: 0, inProgressOverdue: 0,
      late: 0, lateRatePercent: null, onTimeRatePercent: null, onlineSharePercent: null,
    },
  },
] as const;

describe('computeDossierKpis', () => {
  it.each(KPI_CASES)('$name', ({ fromMs, toMs, expected }) => {
    const kpis = computeDossierKpis(fixtureStates(), { fromMs, toMs }, vn('2026-01-01 00:00'));
    expect(kpis).toEqual(expected);
    expect(kpis.toProcess).toBe(kpis.resolved + kpis.inProgress);
  });

  it('judges a period that has not ended at now', () => {
    // Now is Tuesday 11 March 09:00: G and N (due 6 and 10 March) are overdue, H and L (due 11 and 12 March) near due, I not yet.
    const kpis = computeDossierKpis(fixtureStates(), { fromMs: vn('2025-03-10 00:00'), toMs: vn('2025-03-17 00:00') }, vn('2025-03-11 09:00'));
    expect(kpis).toMatchObject({ received: 1, carriedOver: 5, toProcess: 6, resolved: 1, inProgressOverdue: 2, inProgressNearDue: 2, inProgressNotYetDue: 1 });
  });
});

describe('Vietnam days and working days', () => {
  it.each([
    { name: 'start of day is 17:00 UTC the day before', time: '2025-03-04 00:30', dayStart: '2025-03-04 00:00' },
    { name: 'late evening stays on its day', time: '2025-03-04 23:59', dayStart: '2025-03-04 00:00' },
  ])('$name', ({ time, dayStart }) => {
    expect(vietnamDayStartMs(vn(time))).toBe(vn(dayStart));
  });

  it.each([
    { from: '2025-03-03 10:00', days: 2, expected: '2025-03-05 10:00' },
    { from: '2025-03-07 10:00', days: 2, expected: '2025-03-11 10:00' },
    { from: '2025-03-08 10:00', days: 1, expected: '2025-03-10 10:00' },
    { from: '2025-03-03 10:00', days: 0, expected: '2025-03-03 10:00' },
    { from: '2025-03-03 10:00', days: 5, expected: '2025-03-10 10:00' },
  ])('$from + $days working days = $expected', ({ from, days, expected }) => {
    expect(addWorkingDaysMs(vn(from), days)).toBe(vn(expected));
  });

  it('bounds "near due" two working days ahead', () => {
    expect(nearDueUntilMs(vn('2025-03-07 00:00'))).toBe(vn('2025-03-11 00:00'));
  });

  it.each([
    { finished: '2025-03-03 16:00', due: '2025-03-04 17:00', expected: 'early' },
    { finished: '2025-03-04 00:00', due: '2025-03-04 17:00', expected: 'onTime' },
    { finished: '2025-03-04 17:00', due: '2025-03-04 17:00', expected: 'onTime' },
    { finished: '2025-03-04 17:01', due: '2025-03-04 17:00', expected: 'late' },
  ])('finished $finished, due $due: $expected', ({ finished, due, expected }) => {
    expect(punctualityOf(vn(finished), vn(due))).toBe(expected);
  });
});
