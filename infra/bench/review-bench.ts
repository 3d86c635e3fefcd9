/**
 * Leaders' daily review benchmark: query times (median, p95) of what the leader page and the exports run,
 * over 90 days of demo-like data — the demo dossier backfill (infra/src/demo/dossiers.ts), per-minute traffic
 * flows from a set of cameras, violations and incidents, and field reports with their history.
 * Run: `pnpm bench:review` (embedded PostgreSQL in /tmp), or with DATABASE_URL=postgres://… for a server of
 * yours (a scratch database is created and dropped). Lives in infra because it uses the demo generators.
 * BENCH_CAMERAS (default 8) and BENCH_ROUNDS (default 15) scale it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DAY_MS, addDaysToDate, vietnamDateOf, vietnamDayStartMs } from '@ioc/schemas';
import { AggregateRefresher, DossierRepository, ReviewRepository, createPool, migrate } from '@ioc/store';
import { dailyReviewCsv, dailyReviewPdf } from '@ioc/api';
import { demoDossierEventsBetween } from '../src/demo/dossiers';
import { DEMO_SITE } from '../src/demo/site';
import { startEmbeddedPostgres } from '../src/embedded/embedded-postgres';

const DAYS = 90;
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const logger = pino({ level: 'warn' }, pino.destination(2));

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startDatabase(): Promise<{ url: string; where: string; stop: () => Promise<void> }> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `ioc_bench_review_${randomBytes(4).toString('hex')}`;
    const admin = createPool(external, { max: 2 });
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      where: 'DATABASE_URL (scratch database)',
      stop: async () => {
        const client = createPool(external, { max: 2 });
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-bench-review-'));
  const postgres = await startEmbeddedPostgres({ dataDir: directory, port: await freePort(), logger });
  return {
    url: postgres.url,
    where: 'embedded PostgreSQL',
    stop: async () => {
      await postgres.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  const database = await startDatabase();
  const pool = createPool(database.url, { max: 10 });
  try {
    const { timescaledb } = await migrate(pool, logger);
    const nowMs = Date.now();
    const todayStartMs = vietnamDayStartMs(nowMs);
    const fromMs = todayStartMs - DAYS * DAY_MS;
    const districts = DEMO_SITE.districts.map((district) => district.code);
    process.stdout.write(`Seeding ${DAYS} days into ${database.where}${timescaledb ? ' (TimescaleDB)' : ''}…\n`);

    const seedTimes: Array<[string, string, number]> = [];
    const cameraIds = Array.from({ length: CAMERAS }, (_, index) => `bench-cam-${index}`);
    await pool.query(
      `INSERT INTO devices (id, category, district_code, longitude, latitude, document)
       SELECT id, 'camera', ($2::text[])[1 + (ordinality - 1) % array_length($2::text[], 1)], 103.0, 21.4, '{}'
         FROM unnest($1::text[]) WITH ORDINALITY AS t(id, ordinality)`,
      [cameraIds, districts],
    );
    // Per-minute flows: each camera, 2 directions × 2 classes, with a day-night rhythm.
    const flows = await timed(() => pool.query(
      `INSERT INTO traffic_flow_observed (device_id, lane_id, direction, vehicle_class, date_observed_from, date_observed_to, intensity, average_speed_kmh)
       SELECT camera, 'L1', direction, vehicle_class, minute, minute + INTERVAL '1 minute',
              (4 + 12 * (0.5 - 0.5 * cos(2 * pi() * extract(hour FROM minute AT TIME ZONE 'Asia/Ho_Chi_Minh') / 24)) * random())::int, 30 + 20 * random()
         FROM unnest($1::text[]) AS camera,
              unnest(ARRAY['forward', 'backward']) AS direction,
              unnest(ARRAY['motorcycle', 'car']) AS vehicle_class,
              generate_series($2::timestamptz, $3::timestamptz - INTERVAL '1 minute', INTERVAL '1 minute') AS minute`,
      [cameraIds, new Date(fromMs).toISOString(), new Date(nowMs).toISOString()],
    ));
    seedTimes.push(['traffic flows (per minute)', String(flows.value.rowCount), flows.ms]);

    // Violations: about 400 a day across five rules; incidents: about 12 a day, most closed within hours.
    const alerts = await timed(() => pool.query(
      `INSERT INTO alerts (id, category, sub_category, severity, device_id, district_code, date_issued, document, closed_at)
       SELECT 'bench-v-' || n, 'traffic', (ARRAY['redLightViolation', 'speeding', 'carWrongDirection', 'laneViolation', 'carStopped'])[1 + n % 5], 'medium',
              'bench-cam-' || (n % $3), ($4::text[])[1 + n % array_length($4::text[], 1)], $1::timestamptz + (random() * ($2::timestamptz - $1::timestamptz)), '{}'::jsonb, NULL
         FROM generate_series(1, 400 * $5) AS n
       UNION ALL
       SELECT 'bench-i-' || n, (ARRAY['environment', 'traffic', 'security'])[1 + n % 3], (ARRAY['airPollution', 'trafficJam', 'deviceOffline'])[1 + n % 3],
              (ARRAY['critical', 'high', 'medium', 'low', 'informational'])[1 + n % 5], 'bench-cam-' || (n % $3), ($4::text[])[1 + n % array_length($4::text[], 1)],
              issued, '{}'::jsonb, CASE WHEN n % 10 = 0 THEN NULL ELSE issued + random() * INTERVAL '6 hours' END
         -- The lateral names n so it is evaluated per row (otherwise every incident gets one time).
         FROM generate_series(1, 12 * $5) AS n, LATERAL (SELECT $1::timestamptz + (random() * ($2::timestamptz - $1::timestamptz)) + n * INTERVAL '0 seconds' AS issued OFFSET 0) AS i`,
      [new Date(fromMs).toISOString(), new Date(nowMs).toISOString(), CAMERAS, districts, DAYS],
    ));
    seedTimes.push(['alerts (violations + incidents)', String(alerts.value.rowCount), alerts.ms]);

    // Field reports: about 30 a day, SLA 24–120 h, 85 % resolved (some late), each with its history.
    const reports = await timed(async () => {
      await pool.query(
        `INSERT INTO field_reports (id, service_code, status, agency_responsible, requested_at, updated_at, expected_at, closed_at)
         SELECT 'B-' || n, 'ovga', CASE WHEN resolved_at IS NULL THEN 'assigned' ELSE 'resolved' END,
                (ARRAY['Sở Xây dựng', 'Đơn vị thoát nước đô thị', 'Đơn vị vệ sinh môi trường đô thị', 'UBND phường, xã sở tại', 'Sở Tài nguyên và Môi trường'])[1 + n % 5],
                requested_at, requested_at, requested_at + sla, resolved_at
           FROM generate_series(1, 30 * $3) AS n,
                LATERAL (SELECT $1::timestamptz + (random() * ($2::timestamptz - $1::timestamptz)) AS requested_at, (24 + 24 * (n % 5)) * INTERVAL '1 hour' AS sla OFFSET 0) AS r,
                LATERAL (SELECT CASE WHEN n % 7 = 0 THEN NULL ELSE requested_at + random() * sla * 1.3 END AS resolved_at OFFSET 0) AS c`,
        [new Date(fromMs).toISOString(), new Date(nowMs).toISOString(), DAYS],
      );
      await pool.query(`UPDATE field_reports SET closed_at = NULL, status = 'assigned' WHERE closed_at > now()`);
      return pool.query(
        `INSERT INTO field_report_history (report_id, at, action, actor, from_status, to_status)
         SELECT id, requested_at, 'opened', 'bench', NULL, 'new' FROM field_reports
         UNION ALL SELECT id, requested_at + INTERVAL '1 hour', 'assigned', 'bench', 'new', 'assigned' FROM field_reports
         UNION ALL SELECT id, closed_at, 'resolved', 'bench', 'assigned', 'resolved' FROM field_reports WHERE closed_at IS NOT NULL`,
      );
    });
    seedTimes.push(['field reports (history rows)', String(reports.value.rowCount), reports.ms]);

    const dossiers = new DossierRepository(pool);
    const events = demoDossierEventsBetween({ fromMs, toMs: nowMs, seed: 1, receivedFromMs: fromMs });
    const dossierSeed = await timed(async () => {
      for (let start = 0; start < events.length; start += 20_000) await dossiers.writeEvents(events.slice(start, start + 20_000));
      return dossiers.count();
    });
    seedTimes.push(['dossier events (demo backfill)', `${events.length} (${dossierSeed.value.dossiers} dossiers)`, dossierSeed.ms]);

    const refresh = await timed(() => new AggregateRefresher(pool, { intervalSeconds: 60, timescaledb, logger }).refreshNow());
    seedTimes.push(['aggregate refresh', '', refresh.ms]);
    await pool.query('ANALYZE');

    process.stdout.write('\nSeed\n');
    process.stdout.write('| what | rows | seconds |\n|---|---:|---:|\n');
    for (const [what, rows, ms] of seedTimes) process.stdout.write(`| ${what} | ${rows} | ${(ms / 1000).toFixed(1)} |\n`);

    const reviews = new ReviewRepository(pool);
    const districtNames = new Map(DEMO_SITE.districts.map((district) => [district.code, district.name]));
    const yesterday = addDaysToDate(vietnamDateOf(nowMs), -1);
    const busiestAgency = (await pool.query<{ agency_code: string }>('SELECT agency_code FROM dossiers GROUP BY 1 ORDER BY count(*) DESC LIMIT 1')).rows[0]?.agency_code;
    const sample = await reviews.daily({ date: yesterday, nowMs, districtNames });
    const cases: Array<{ name: string; run: () => Promise<unknown> }> = [
      { name: 'review JSON, today (whole province)', run: () => reviews.daily({ date: vietnamDateOf(nowMs), nowMs, districtNames }) },
      { name: 'review JSON, yesterday', run: () => reviews.daily({ date: yesterday, nowMs, districtNames }) },
      { name: `review JSON, district ${districts[0]}`, run: () => reviews.daily({ date: yesterday, districtCode: districts[0], nowMs, districtNames }) },
      { name: `review JSON, agency ${busiestAgency}`, run: () => reviews.daily({ date: yesterday, agencyKey: busiestAgency, nowMs, districtNames }) },
      { name: 'review JSON, 60 days back', run: () => reviews.daily({ date: addDaysToDate(yesterday, -60), nowMs, districtNames }) },
      { name: 'PDF export (query + render)', run: async () => dailyReviewPdf(await reviews.daily({ date: yesterday, nowMs, districtNames }), { districtNames }) },
      { name: 'PDF render only', run: () => dailyReviewPdf(sample, { districtNames }) },
      { name: 'CSV export (query + render)', run: async () => dailyReviewCsv(await reviews.daily({ date: yesterday, nowMs, districtNames })) },
    ];
    process.stdout.write(`\nLeader page queries and exports over ${DAYS} days (${ROUNDS} rounds after 2 warm-ups; ms)\n`);
    process.stdout.write('| query | median | p95 | max |\n|---|---:|---:|---:|\n');
    for (const entry of cases) {
      for (let warm = 0; warm < 2; warm += 1) await entry.run();
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) times.push((await timed(entry.run)).ms);
      times.sort((left, right) => left - right);
      process.stdout.write(`| ${entry.name} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} | ${(times[times.length - 1] as number).toFixed(1)} |\n`);
    }
    // Which statement costs what: the review's queries timed one by one (they run side by side in the page).
    const byStatement = new Map<string, number[]>();
    const label = (text: string): string => {
      if (text.includes('traffic_flow_hourly')) return 'traffic (hourly aggregate)';
      if (text.includes('FROM alerts')) return 'violations and incidents (alerts)';
      if (text.includes('field_reports')) return 'field reports';
      const group = /SELECT (.*?) AS key/.exec(text)?.[1] ?? '?';
      return `dossier KPIs by ${group.includes('YYYY-MM-DD') ? 'day (9 periods)' : group.includes('district') ? 'district' : group.includes('agency') ? 'agency' : 'total'}`;
    };
    const original = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<unknown>;
    // BENCH_EXPLAIN=1 prints each statement's plan once (EXPLAIN ANALYZE), for tuning.
    const explained = new Set<string>();
    const serialPool = {
      query: async (text: string, values?: unknown[]) => {
        if (process.env.BENCH_EXPLAIN && !explained.has(label(text))) {
          explained.add(label(text));
          const plan = (await original(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)) as { rows: Array<{ 'QUERY PLAN': string }> };
          process.stdout.write(`\n-- ${label(text)}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}\n`);
        }
        const { value, ms } = await timed(() => original(text, values));
        const times = byStatement.get(label(text)) ?? [];
        times.push(ms);
        byStatement.set(label(text), times);
        return value;
      },
    };
    // One statement at a time, so each time is its own.
    const serialReviews = new ReviewRepository(serialPool as unknown as typeof pool);
    for (let round = 0; round < ROUNDS + 2; round += 1) {
      if (round === 2) byStatement.clear();
      await serialReviews.daily({ date: yesterday, nowMs, districtNames });
    }
    process.stdout.write('\nStatements of one review (ms; Promise.all runs them side by side on the pool)\n| statement | median | p95 |\n|---|---:|---:|\n');
    for (const [name, times] of [...byStatement].sort()) {
      times.sort((left, right) => left - right);
      process.stdout.write(`| ${name} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} |\n`);
    }
    const figure = (key: string) => sample.metrics.find((metric) => metric.key === key)?.day.value;
    process.stdout.write(`\nSanity (${yesterday}): vehicles ${figure('trafficVolume')}, violations ${figure('violationsTotal')}, dossiers received ${figure('dossiersReceived')}, on-time ${figure('dossiersOnTimeRate')?.toFixed(1)} %, field reports new ${figure('fieldReportsNew')}, incidents ${figure('incidentsRaised')}\n`);
  } finally {
    await pool.end();
    await database.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
