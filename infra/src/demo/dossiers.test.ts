import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { computeDossierKpis, dossierEventSchema, type DossierEvent, type DossierState } from '@ioc/schemas';
import { demoDossierAgencies, demoDossierEventsBetween, demoDossiersOfDay, dueTimeMs, startDemoDossiers } from './dossiers';

const vn = (text: string) => Date.parse(`${text.replace(' ', 'T')}:00+07:00`);
const DAY_MS = 86_400_000;

describe('dueTimeMs', () => {
  it.each([
    { received: '2025-03-03 09:00', days: 0, due: '2025-03-03 17:00', why: 'same-day procedure received in the morning' },
    { received: '2025-03-03 16:00', days: 0, due: '2025-03-04 17:00', why: 'same-day procedure received after 15:00' },
    { received: '2025-03-07 10:00', days: 1, due: '2025-03-10 17:00', why: 'Friday plus one working day' },
    { received: '2025-03-08 10:00', days: 0, due: '2025-03-10 17:00', why: 'received online on Saturday' },
    { received: '2025-03-08 10:00', days: 3, due: '2025-03-13 17:00', why: 'Saturday: the clock starts Monday' },
    { received: '2025-03-03 09:00', days: 10, due: '2025-03-17 17:00', why: 'ten working days span two weekends' },
  ])('$why', ({ received, days, due }) => {
    expect(dueTimeMs(vn(received), days)).toBe(vn(due));
  });
});

function statesOf(events: readonly DossierEvent[]): DossierState[] {
  const byDossier = new Map<string, DossierEvent[]>();
  for (const event of events) byDossier.set(event.dossierId, [...(byDossier.get(event.dossierId) ?? []), event]);
  return [...byDossier.values()].map((list) => {
    const received = list.find((event) => event.event === 'received') as DossierEvent;
    const due = list.filter((event) => event.dueAt).at(-1) as DossierEvent;
    const finish = list.find((event) => event.event === 'resolved' || event.event === 'returned' || event.event === 'withdrawn');
    return {
      receivedAtMs: Date.parse(received.occurredAt),
      dueAtMs: Date.parse(due.dueAt as string),
      finishedAtMs: finish ? Date.parse(finish.occurredAt) : null,
      outcome: (finish?.event ?? null) as DossierState['outcome'],
      channel: received.channel,
    };
  });
}

describe('demo dossiers', () => {
  it('are the same for the same seed and day, and differ for another seed', () => {
    const day = vn('2025-03-04 00:00');
    expect(demoDossiersOfDay(day, 1)).toEqual(demoDossiersOfDay(day + 5 * 3_600_000, 1));
    expect(demoDossiersOfDay(day, 2)).not.toEqual(demoDossiersOfDay(day, 1));
  });

  it('are valid events in lifecycle order, received first with a due time after receipt', () => {
    for (const plan of demoDossiersOfDay(vn('2025-03-04 00:00'), 7)) {
      for (const event of plan.events) expect(dossierEventSchema.safeParse(event).success).toBe(true);
      const [received, ...later] = plan.events as [DossierEvent, ...DossierEvent[]];
      expect(received.event).toBe('received');
      expect(Date.parse(received.dueAt as string)).toBeGreaterThan(Date.parse(received.occurredAt));
      for (const event of later) expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(Date.parse(received.occurredAt));
    }
  });

  it('follow a weekly rhythm: few on weekends', () => {
    const monday = vn('2025-03-03 00:00');
    const counts = Array.from({ length: 7 }, (_, index) => demoDossiersOfDay(monday + index * DAY_MS, 1).length);
    for (const weekday of counts.slice(0, 5)) expect(weekday).toBeGreaterThan(200);
    expect(counts[5]).toBeLessThan(80);
    expect(counts[6]).toBeLessThan(30);
  });

  it('cover the departments, the districts of the demo site and some communes', () => {
    const agencies = demoDossierAgencies();
    expect(agencies.filter((agency) => agency.level === 'province').map((agency) => agency.name)).toEqual(
      expect.arrayContaining(['Sở Giáo dục và Đào tạo', 'Sở Tài nguyên và Môi trường', 'Sở Văn hóa, Thể thao và Du lịch', 'Sở Khoa học và Công nghệ', 'Sở Xây dựng', 'Sở Nông nghiệp và Phát triển nông thôn', 'Sở Lao động – Thương binh và Xã hội', 'Sở Tư pháp', 'Sở Y tế']),
    );
    expect(agencies.filter((agency) => agency.level === 'district')).toHaveLength(8);
    expect(agencies.find((agency) => agency.code === 'DBN.UBND.094')?.name).toBe('UBND thành phố Điện Biên Phủ');
    expect(agencies.filter((agency) => agency.level === 'commune').length).toBeGreaterThan(3);
    expect(new Set(agencies.map((agency) => agency.code)).size).toBe(agencies.length);
  });

  it('look like the published figures over 12 weeks: ~200 a day, 83–92 % on time, 40–60 % online', () => {
    const fromMs = vn('2025-01-06 00:00');
    const days = 84;
    const plans = Array.from({ length: days }, (_, index) => demoDossiersOfDay(fromMs + index * DAY_MS, 1)).flat();
    const toMs = fromMs + days * DAY_MS;
    const kpis = computeDossierKpis(statesOf(plans.flatMap((plan) => plan.events)), { fromMs, toMs }, toMs + 365 * DAY_MS);
    expect(kpis.received / days).toBeGreaterThan(180);
    expect(kpis.received / days).toBeLessThan(240);
    expect(kpis.onTimeRatePercent).toBeGreaterThan(83);
    expect(kpis.onTimeRatePercent).toBeLessThan(92);
    expect(kpis.onlineSharePercent).toBeGreaterThan(40);
    expect(kpis.onlineSharePercent).toBeLessThan(60);
    expect(kpis.resolvedEarly).toBeGreaterThan(kpis.resolvedLate);
  });

  it('give each event once when a window is split in two (backfill, then live ticks)', () => {
    const fromMs = vn('2025-03-01 00:00');
    const splitMs = vn('2025-03-05 13:37');
    const toMs = vn('2025-03-09 00:00');
    const key = (event: DossierEvent) => `${event.dossierId}|${event.event}|${event.occurredAt}`;
    const cache = new Map<number, ReturnType<typeof demoDossiersOfDay>>();
    const plansOfDay = (dayMs: number) => cache.get(dayMs) ?? cache.set(dayMs, demoDossiersOfDay(dayMs, 3)).get(dayMs) ?? [];
    const whole = demoDossierEventsBetween({ fromMs, toMs, seed: 3, plansOfDay }).map(key);
    const split = [...demoDossierEventsBetween({ fromMs, toMs: splitMs, seed: 3, plansOfDay }), ...demoDossierEventsBetween({ fromMs: splitMs, toMs, seed: 3, plansOfDay })].map(key);
    expect(split).toEqual(whole);
    expect(new Set(whole).size).toBe(whole.length);
  });
});

describe('startDemoDossiers', () => {
  const sinkWith = (dossiers: number) => {
    const written: DossierEvent[] = [];
    return { written, sink: { writeEvents: async (events: DossierEvent[]) => (written.push(...events), { stored: events.length }), count: async () => ({ dossiers }) } };
  };

  it('backfills the given days when the tables are empty, then writes events as their time comes', async () => {
    let nowMs = vn('2025-03-10 12:00');
    const { written, sink } = sinkWith(0);
    const demo = startDemoDossiers({ sink, logger: pino({ level: 'silent' }), backfillDays: 7, tickMs: 20, now: () => nowMs });
    await demo.ready;
    const backfilled = written.length;
    expect(backfilled).toBeGreaterThan(1000);
    expect(Math.min(...written.filter((event) => event.event === 'received').map((event) => Date.parse(event.occurredAt)))).toBeGreaterThanOrEqual(vn('2025-03-04 00:00'));
    expect(Math.max(...written.map((event) => Date.parse(event.occurredAt)))).toBeLessThan(nowMs);
    nowMs += 3 * 3_600_000;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await demo.stop();
    const live = written.slice(backfilled);
    expect(live.length).toBeGreaterThan(10);
    for (const event of live) expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(vn('2025-03-10 12:00'));
  });

  it('does not backfill when dossiers are already stored', async () => {
    const { written, sink } = sinkWith(5);
    const demo = startDemoDossiers({ sink, logger: pino({ level: 'silent' }), tickMs: 60_000, now: () => vn('2025-03-10 12:00') });
    await demo.ready;
    await demo.stop();
    expect(written).toEqual([]);
  });
});
