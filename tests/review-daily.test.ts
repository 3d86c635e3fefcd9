import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DAY_MS, resolveConfig, computeDossierKpis, vietnamDateStartMs, type DailyReview, type ReviewComparison, type ReviewMetricKey } from '@ioc/schemas';
import { FieldReportRepository, ReviewRepository, createPool, migrate } from '@ioc/store';
import { LiveHub, createReviewRouter, dailyReviewPdf, startApiServer, type ApiServer } from '@ioc/api';
import { DailyReportScheduler, startSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { signInAs, type SignedIn } from './setup/accounts';
import { DATE, DISTRICT_NAMES, DOSSIERS, LATER_MS, day, dossierState, seedReviewFixture, vn } from './setup/review-fixture';

/**
 * The leaders' daily review against a real PostgreSQL: known rows around a chosen Wednesday, every comparison
 * figure computed by hand (day before, mean of the 7 days before, same weekday last week), rows on either side
 * of a Vietnam midnight, drill-down by district and agency; the HTTP routes, a PDF whose embedded font really
 * carries the Vietnamese text, the CSV with its BOM; the scheduler writing once at the hour; `ioc report-daily`.
 */
function comparison(review: DailyReview, key: ReviewMetricKey, which: 'day' | 'previousDay' = 'day'): ReviewComparison {
  const metric = review.metrics.find((candidate) => candidate.key === key);
  if (!metric) throw new Error(`no metric ${key}`);
  return metric[which];
}

/** Rounds the average (a mean of sevenths) so hand-written fractions compare exactly. */
function rounded(value: ReviewComparison): ReviewComparison {
  const round = (number: number | null) => (number === null ? null : Math.round(number * 1e9) / 1e9);
  return { value: round(value.value), dayBefore: round(value.dayBefore), sevenDayAverage: round(value.sevenDayAverage), sameWeekdayLastWeek: round(value.sameWeekdayLastWeek) };
}
const expectComparison = (actual: ReviewComparison, expected: ReviewComparison) => expect(rounded(actual)).toEqual(rounded(expected));

/** The text a PDF shows, per embedded font: hex glyph strings decoded through each font's ToUnicode CMap. */
function pdfTexts(pdf: Buffer): { fonts: string[]; texts: string[]; pageCount: number; undecodable: string[] } {
  const raw = pdf.toString('latin1');
  const streams: string[] = [];
  const streamPattern = /<<([^]*?)>>\s*stream\r?\n([^]*?)\r?\nendstream/g;
  for (let match = streamPattern.exec(raw); match; match = streamPattern.exec(raw)) {
    const body = Buffer.from(match[2] as string, 'latin1');
    streams.push(/\/FlateDecode/.test(match[1] as string) ? inflateSync(body).toString('latin1') : body.toString('latin1'));
  }
  const cmaps = streams.filter((stream) => stream.includes('beginbfrange') || stream.includes('beginbfchar')).map((stream) => {
    const map = new Map<number, string>();
    const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const range of stream.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\[([^\]]*)\]/g)) {
      const start = Number.parseInt(range[1] as string, 16);
      [...(range[3] as string).matchAll(/<([0-9a-fA-F]+)>/g)].forEach((target, index) => map.set(start + index, utf16(target[1] as string)));
    }
    for (const range of stream.matchAll(/^<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*$/gm)) {
      const start = Number.parseInt(range[1] as string, 16);
      const end = Number.parseInt(range[2] as string, 16);
      const first = Number.parseInt(range[3] as string, 16);
      for (let code = start; code <= end; code += 1) map.set(code, String.fromCharCode(first + code - start));
    }
    return map;
  });
  const shown = streams.flatMap((stream) => [...stream.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]+)>\s*Tj/g)].map((operator) =>
    operator[1] !== undefined ? [...operator[1].matchAll(/<([0-9a-fA-F]+)>/g)].map((part) => part[1]).join('') : (operator[2] as string)));
  const decode = (map: Map<number, string>, hex: string) => {
    let text = '';
    for (let at = 0; at + 4 <= hex.length; at += 4) text += map.get(Number.parseInt(hex.slice(at, at + 4), 16)) ?? '\uFFFD';
    return text;
  };
  const texts = cmaps.map((map) => shown.map((hex) => decode(map, hex)).join('\n'));
  // A string no embedded font's map can decode in full would show as boxes: there must be none.
  const undecodable = shown.filter((hex) => cmaps.every((map) => decode(map, hex).includes('\uFFFD')));
  const fonts = [...raw.matchAll(/\/BaseFont\s*\/([A-Z]{6}\+[^\s/>]+)/g)].map((match) => match[1] as string);
  const pageCount = (raw.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  return { fonts, texts, pageCount, undecodable };
}

describe('leaders\' daily review', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let reviews: ReviewRepository;
  let server: ApiServer;
  let baseUrl: string;
  /** A leader, signed in through the real login route (the review is for leaders and admins). */
  let leader: SignedIn;
  const districtNames = DISTRICT_NAMES;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'review_daily');
    pool = createPool(database.url, { max: 8 });
    const logger = pino({ level: 'silent' });
    const { timescaledb } = await migrate(pool, logger);
    reviews = new ReviewRepository(pool);

    await seedReviewFixture(pool, timescaledb);

    const site = { name: 'Điện Biên', center: [103.02, 21.38] as [number, number], zoom: 11, districts: [] };
    server = await startApiServer({
      config: resolveConfig({ server: { port: 0, host: '127.0.0.1' } }, {}),
      logger,
      pool,
      hub: new LiveHub(site, { historyMinutes: 5, replayBufferEvents: 100 }),
      status: { databaseEmbedded: true, outbox: () => ({ depthBatches: 0, depthRows: 0 }), broker: () => ({ connected: false, embedded: true, url: 'mqtt://none' }) },
      routers: [createReviewRouter({ reviews, districts: [...districtNames].map(([code, name]) => ({ code, name })), nowMs: () => LATER_MS })],
    });
    baseUrl = server.url;
    leader = await signInAs(baseUrl, pool, 'leader');
  });

  afterAll(async () => {
    await server?.close();
    await pool?.end();
    await database?.drop();
  });

  it('compares traffic volume with the day before, the 7-day mean and the same weekday, across a Vietnam midnight', async () => {
    const review = await reviews.daily({ date: DATE, nowMs: LATER_MS });
    expect(review.date).toBe(DATE);
    expect(review.previousDate).toBe('2025-06-10');
    expect(review.days.map((entry) => entry.date)).toEqual([-8, -7, -6, -5, -4, -3, -2, -1, 0].map(day));
    // Day totals: D−8 110, D−7 210 … D−2 710, D−1 810 + 7 (23:30) = 817, D 910 + 3 (00:10) = 913.
    expectComparison(comparison(review, 'trafficVolume'), { value: 913, dayBefore: 817, sevenDayAverage: (210 + 310 + 410 + 510 + 610 + 710 + 817) / 7, sameWeekdayLastWeek: 210 });
    expectComparison(comparison(review, 'trafficVolume', 'previousDay'), { value: 817, dayBefore: 710, sevenDayAverage: 410, sameWeekdayLastWeek: 110 });
  });

  it('counts violations in total and by rule, and incidents by severity and open at the end of each day', async () => {
    const review = await reviews.daily({ date: DATE, nowMs: LATER_MS });
    // D: 3 red light (094) + speeding at 00:00:00 (095) = 4; D−1: 2 red light + speeding at 23:59:59 = 3; D−7: 1 lane.
    expectComparison(comparison(review, 'violationsTotal'), { value: 4, dayBefore: 3, sevenDayAverage: 4 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(review, 'violationsRedLight'), { value: 3, dayBefore: 2, sevenDayAverage: 2 / 7, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(review, 'violationsSpeeding'), { value: 1, dayBefore: 1, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(review, 'violationsLane'), { value: 0, dayBefore: 0, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(review, 'violationsTotal', 'previousDay'), { value: 3, dayBefore: 0, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 0 });
    // Incidents: PM2.5 (high) D−2 → closed D 09:00; offline (critical) D−1 20:00–22:00; a jam (medium) D 08:00, open.
    expectComparison(comparison(review, 'incidentsRaised'), { value: 1, dayBefore: 1, sevenDayAverage: 2 / 7, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(review, 'incidentsMedium'), { value: 1, dayBefore: 0, sevenDayAverage: 0, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(review, 'incidentsCritical', 'previousDay'), { value: 1, dayBefore: 0, sevenDayAverage: 0, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(review, 'incidentsOpen'), { value: 1, dayBefore: 1, sevenDayAverage: 2 / 7, sameWeekdayLastWeek: 0 });
    // Judged during D at 08:30: the PM2.5 incident is still open and the jam has begun.
    const during = await reviews.daily({ date: DATE, nowMs: vn(day(0), '08:30') });
    expect(comparison(during, 'incidentsOpen').value).toBe(2);
    expect(during.asOfMs).toBe(vn(day(0), '08:30'));
  });

  it('takes dossier figures from the KPI formulas: received, resolved, on-time rate and overdue per day', async () => {
    const review = await reviews.daily({ date: DATE, nowMs: LATER_MS });
    // D: X1 received; X2 (on time) and X5 (late) resolved; X3 overdue → late 2 of 4 to process → 50 % on time.
    // Received: X4 on D−7, X3 on D−3, X2 on D−1, X1 on D.
    expectComparison(comparison(review, 'dossiersReceived'), { value: 1, dayBefore: 1, sevenDayAverage: 3 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(review, 'dossiersResolved'), { value: 2, dayBefore: 0, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 1 });
    expect(comparison(review, 'dossiersOnTimeRate').value).toBeCloseTo(50, 9);
    // D−1: X2 received (due D), X3 and X5 overdue → 2 late of 3.
    expect(comparison(review, 'dossiersOnTimeRate', 'previousDay').value).toBeCloseTo(100 / 3, 9);
    expectComparison(comparison(review, 'dossiersOverdue'), { value: 1, dayBefore: 2, sevenDayAverage: (1 + 1 + 1 + 1 + 1 + 1 + 2) / 7, sameWeekdayLastWeek: 1 });
    // Every day agrees with computeDossierKpis over the same rows.
    for (const entry of review.days) {
      const startMs = vietnamDateStartMs(entry.date);
      const kpis = computeDossierKpis(DOSSIERS.map(dossierState), { fromMs: startMs, toMs: startMs + DAY_MS }, LATER_MS);
      expect(entry.values.dossiersReceived, entry.date).toBe(kpis.received);
      expect(entry.values.dossiersResolved, entry.date).toBe(kpis.resolved);
      expect(entry.values.dossiersOverdue, entry.date).toBe(kpis.inProgressOverdue);
      expect(entry.values.dossiersOnTimeRate, entry.date).toBe(kpis.onTimeRatePercent);
    }
    expect(review.overdueByAgency).toEqual([{ agencyCode: 'UBND-094', agencyName: 'UBND thành phố Điện Biên Phủ', overdue: 1, toProcess: 1 }]);
  });

  it('counts field reports new, resolved and past their SLA at the end of each day', async () => {
    const review = await reviews.daily({ date: DATE, nowMs: LATER_MS });
    expectComparison(comparison(review, 'fieldReportsNew'), { value: 1, dayBefore: 2, sevenDayAverage: 3 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(review, 'fieldReportsResolved'), { value: 1, dayBefore: 0, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 1 });
    // R1 due D 10:00 still open at the end of D; R2 open at the end of D−1 past its 12:00 due time; R4 has no due time.
    expectComparison(comparison(review, 'fieldReportsOverdue'), { value: 1, dayBefore: 1, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 0 });
  });

  it('drills down by district and by agency', async () => {
    const byDistrict = await reviews.daily({ date: DATE, districtCode: '094', nowMs: LATER_MS, districtNames });
    expect(byDistrict.filters).toEqual({ district: '094', agency: null, notNarrowed: [] });
    // Field reports in 094: R1 (new on D, past due at its end), R4 (new on D−1, no due time), R3 (new and resolved D−7).
    expectComparison(comparison(byDistrict, 'fieldReportsNew'), { value: 1, dayBefore: 1, sevenDayAverage: 2 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(byDistrict, 'fieldReportsResolved'), { value: 0, dayBefore: 0, sevenDayAverage: 1 / 7, sameWeekdayLastWeek: 1 });
    expectComparison(comparison(byDistrict, 'fieldReportsOverdue'), { value: 1, dayBefore: 0, sevenDayAverage: 0, sameWeekdayLastWeek: 0 });
    expectComparison(comparison(byDistrict, 'trafficVolume'), { value: 903, dayBefore: 807, sevenDayAverage: (200 + 300 + 400 + 500 + 600 + 700 + 807) / 7, sameWeekdayLastWeek: 200 });
    expectComparison(comparison(byDistrict, 'violationsTotal'), { value: 3, dayBefore: 2, sevenDayAverage: 3 / 7, sameWeekdayLastWeek: 1 });
    expect(comparison(byDistrict, 'incidentsRaised').value).toBe(0);
    expect(comparison(byDistrict, 'dossiersReceived').value).toBe(0);
    expect(comparison(byDistrict, 'dossiersOverdue').value).toBe(1);
    expect(comparison(byDistrict, 'dossiersOnTimeRate').value).toBe(0);
    // The district table lists every district with the chosen day's figures, whatever the filter.
    expect(byDistrict.byDistrict.map((row) => [row.districtCode, row.districtName, row.trafficVolume, row.violations, row.incidentsRaised, row.dossiersOverdue])).toEqual([
      ['', null, 0, 0, 0, 0],
      ['094', 'Thành phố Điện Biên Phủ', 903, 3, 0, 1],
      ['095', 'Thị xã Mường Lay', 10, 1, 1, 0],
    ]);

    const byAgency = await reviews.daily({ date: DATE, agencyKey: 'SO-TP', nowMs: LATER_MS });
    expect(byAgency.filters.notNarrowed).toEqual(['traffic', 'violations', 'incidents']);
    expect(comparison(byAgency, 'dossiersResolved').value).toBe(2);
    expect(comparison(byAgency, 'dossiersOverdue').value).toBe(0);
    // Field reports of the agency of the same name (R2 only): resolved on D, new on D−1.
    expectComparison(comparison(byAgency, 'fieldReportsResolved'), { value: 1, dayBefore: 0, sevenDayAverage: 0, sameWeekdayLastWeek: 0 });
    expect(comparison(byAgency, 'fieldReportsNew', 'previousDay').value).toBe(1);
    const whole = await reviews.daily({ date: DATE, nowMs: LATER_MS });
    expect(whole.byAgency.map((row) => [row.agencyKey, row.agencyName, row.dossiersResolved, row.dossiersOverdue, row.fieldReportsNew, row.fieldReportsResolved, row.fieldReportsOverdue])).toEqual([
      ['UBND-094', 'UBND thành phố Điện Biên Phủ', 0, 1, 0, 0, 0],
      ['SO-TP', 'Sở Tư pháp', 2, 0, 0, 1, 0],
      ['Sở Xây dựng', 'Sở Xây dựng', 0, 0, 1, 0, 1],
    ]);
  });

  it('places a field report in the district its location lies in, when stored and for reports stored before', async () => {
    const districts = [
      { code: '094', boundary: [[103.0, 21.3], [103.1, 21.3], [103.1, 21.45], [103.0, 21.45], [103.0, 21.3]] as [number, number][] },
      { code: '095', boundary: [[103.1, 21.3], [103.2, 21.3], [103.2, 21.45], [103.1, 21.45], [103.1, 21.3]] as [number, number][] },
    ];
    // Long before the fixture's days, so the other tests' figures do not move.
    const report = (longitude: number) => ({
      serviceCode: 'ovga', description: 'ổ gà', latitude: 21.38, longitude, attributes: {}, contact: {}, agencyResponsible: 'Sở Xây dựng',
      serviceNotice: '', expectedAtMs: Date.parse('2001-01-02T00:00:00Z'), actor: 'citizen', requestedAtMs: Date.parse('2001-01-01T00:00:00Z'),
    });
    const placed = new FieldReportRepository(pool, { districts });
    const stored = [await placed.create(report(103.05)), await placed.create(report(103.15)), await placed.create(report(104))];
    const before = await new FieldReportRepository(pool).create(report(103.16));
    const districtOf = async (id: string) => (await pool.query<{ district_code: string | null }>('SELECT district_code FROM field_reports WHERE id = $1', [id])).rows[0]?.district_code;
    try {
      expect(await Promise.all(stored.map((row) => districtOf(row.id)))).toEqual(['094', '095', null]);
      expect(await districtOf(before.id)).toBeNull();
      expect(await placed.assignMissingDistricts(1)).toBe(1);
      expect(await districtOf(before.id)).toBe('095');
      expect(await placed.assignMissingDistricts()).toBe(0);
    } finally {
      const ids = [...stored, before].map((row) => row.id);
      await pool.query('DELETE FROM field_report_history WHERE report_id = ANY($1)', [ids]);
      await pool.query('DELETE FROM field_reports WHERE id = ANY($1)', [ids]);
    }
  });

  it('serves the review as JSON, today by default, and refuses a malformed date with a coded error', async () => {
    const response = await leader.fetch(`${baseUrl}/api/v1/review/daily?date=${DATE}&district=094`);
    expect(response.status).toBe(200);
    const review = (await response.json()) as DailyReview;
    expect(comparison(review, 'trafficVolume').value).toBe(903);
    const today = (await (await leader.fetch(`${baseUrl}/api/v1/review/daily`)).json()) as DailyReview;
    expect(today.date).toBe('2026-01-01');
    for (const bad of ['date=2025-02-30', 'date=11/06/2025', 'unknown=1']) {
      const refused = await leader.fetch(`${baseUrl}/api/v1/review/daily?${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_BAD_QUERY');
    }
  });

  it('exports a real PDF with Be Vietnam Pro embedded and the Vietnamese text in its glyphs', async () => {
    const response = await leader.fetch(`${baseUrl}/api/v1/review/daily.pdf?date=${DATE}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const served = Buffer.from(await response.arrayBuffer());
    expect(served.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(served.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);

    const review = await reviews.daily({ date: DATE, nowMs: LATER_MS, districtNames });
    for (const pdf of [served, await dailyReviewPdf(review, { compress: false, districtNames })]) {
      const { fonts, texts, pageCount, undecodable } = pdfTexts(pdf);
      expect(pageCount).toBeGreaterThanOrEqual(2);
      expect(fonts.some((name) => name.includes('BeVietnamPro-Bold'))).toBe(true);
      expect(fonts.some((name) => name.includes('BeVietnamPro-Regular'))).toBe(true);
      expect(pdf.toString('latin1')).toContain('/FontFile2');
      const all = texts.join('\n');
      expect(all).toContain('BÁO CÁO NGÀY 11/06/2025');
      expect(all).toContain('Hồ sơ tiếp nhận');
      expect(all).toContain('Phản ánh quá hạn xử lý');
      expect(all).toContain('UBND thành phố Điện Biên Phủ');
      expect(all).toContain('913');
      expect(all).toContain(`Trang 1/${pageCount}`);
      expect(undecodable).toEqual([]);
    }
  });

  it('exports CSV in UTF-8 with a byte-order mark, the figures and both days', async () => {
    const response = await leader.fetch(`${baseUrl}/api/v1/review/daily.csv?date=${DATE}`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('bao-cao-ngay-2025-06-11.csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('Mục,Mã,Chỉ tiêu,Ngày,Giá trị,Ngày trước,TB 7 ngày trước,Cùng thứ tuần trước');
    expect(lines).toContain('Giao thông,trafficVolume,Lưu lượng phương tiện,2025-06-11,913,817,511,210');
    expect(lines).toContain('Giao thông,trafficVolume,Lưu lượng phương tiện,2025-06-10,817,710,410,110');
    // On-time rates D−7 … D−1: 50, 0, 0, 0, 50, 50, 33.33 (X5 overdue all week; X4 early on D−7; X3 from D−3).
    expect(lines).toContain('Hồ sơ thủ tục hành chính,dossiersOnTimeRate,Tỷ lệ đúng hạn (%),2025-06-11,50,33.33,26.19,50');
    expect(lines.some((line) => line.startsWith('2025-06-11,094,Thành phố Điện Biên Phủ,903,3,'))).toBe(true);
    const english = Buffer.from(await (await leader.fetch(`${baseUrl}/api/v1/review/daily.csv?date=${DATE}&lang=en`)).arrayBuffer()).toString('utf8');
    expect(english).toContain('Traffic,trafficVolume,Traffic volume (vehicles),2025-06-11,913');
  });

  it('writes the previous day\'s report once from the configured hour, atomically, and not again after a restart', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-reports-'));
    try {
      let nowMs = vn('2025-06-12', '05:59');
      const scheduler = () => new DailyReportScheduler({ reviews, directory, dailyAtHourVietnam: 6, logger: pino({ level: 'silent' }), nowMs: () => nowMs, districtNames });
      const first = scheduler();
      // Before 06:00 the due day is the 10th: written (a missed day is caught up), the 11th not yet.
      expect(await first.check()).toBe('2025-06-10');
      expect(existsSync(path.join(directory, 'bao-cao-ngay-2025-06-11.pdf'))).toBe(false);
      nowMs = vn('2025-06-12', '06:00');
      expect(await first.check()).toBe(DATE);
      const pdfPath = path.join(directory, 'bao-cao-ngay-2025-06-11.pdf');
      const writtenAtMs = statSync(pdfPath).mtimeMs;
      nowMs = vn('2025-06-12', '06:01');
      expect(await first.check()).toBeUndefined();
      // A restarted service finds the files and leaves them alone; two checks at once write once.
      const restarted = scheduler();
      expect(await Promise.all([restarted.check(), restarted.check()])).toEqual([undefined, undefined]);
      expect(first.writtenCount + restarted.writtenCount).toBe(2);
      expect(statSync(pdfPath).mtimeMs).toBe(writtenAtMs);
      expect(readdirSync(directory).sort()).toEqual(['bao-cao-ngay-2025-06-10.csv', 'bao-cao-ngay-2025-06-10.pdf', 'bao-cao-ngay-2025-06-11.csv', 'bao-cao-ngay-2025-06-11.pdf']);
      const pdf = readFileSync(pdfPath);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdfTexts(pdf).texts.join('\n')).toContain('913');
      expect(readFileSync(path.join(directory, 'bao-cao-ngay-2025-06-11.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('checks on its own once started and still writes the day once', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-reports-timer-'));
    const scheduler = new DailyReportScheduler({
      reviews, directory, dailyAtHourVietnam: 6, logger: pino({ level: 'silent' }), nowMs: () => vn('2025-06-12', '07:30'), firstCheckDelayMs: 0, checkIntervalMs: 20,
    });
    try {
      scheduler.start();
      await expect.poll(() => existsSync(path.join(directory, 'bao-cao-ngay-2025-06-11.pdf')), { timeout: 20_000 }).toBe(true);
      // Many more checks go by: none writes again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(scheduler.writtenCount).toBe(1);
      expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      await scheduler.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('is served by the running system, next to the other routes', async () => {
    const dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-review-system-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    const system = await startSystem(config, pino({ level: 'silent' }));
    try {
      const systemLeader = await signInAs(system.url, pool, 'leader');
      const review = (await (await systemLeader.fetch(`${system.url}/api/v1/review/daily?date=${DATE}`)).json()) as DailyReview;
      expect(comparison(review, 'violationsTotal')).toMatchObject({ value: 4, dayBefore: 3 });
      const csv = await systemLeader.fetch(`${system.url}/api/v1/review/daily.csv?date=${DATE}`);
      expect(csv.headers.get('content-disposition')).toContain('bao-cao-ngay-2025-06-11.csv');
    } finally {
      await system.stop();
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });

  it('writes a report on demand with `ioc report-daily --date --out`', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-report-cli-'));
    writeFileSync(path.join(directory, 'config.json'), '{}');
    try {
      const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/src/bin/ioc.ts', 'report-daily', '--date', DATE, '--out', directory], {
        cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: database.url, IOC_CONFIG: path.join(directory, 'config.json'), IOC_LOG_LEVEL: 'silent' }, timeout: 90_000,
      });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout.trim())).toMatchObject({ date: DATE, pdf: path.join(directory, 'bao-cao-ngay-2025-06-11.pdf') });
      expect(readFileSync(path.join(directory, 'bao-cao-ngay-2025-06-11.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(readFileSync(path.join(directory, 'bao-cao-ngay-2025-06-11.csv'), 'utf8')).toContain('trafficVolume');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
