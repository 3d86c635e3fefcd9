import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type DossierKpiReport } from '@ioc/schemas';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * Dossiers through the whole system (demo off, so every row is this file's): the webhook with good, bad and
 * resent batches, CSV and XLSX imports with a bad row, the KPI and overdue reads, and `ioc import-dossiers`.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
// exceljs is the ingest package's dependency; the test borrows it to write a real workbook.
const ExcelJS = createRequire(path.join(root, 'ingest/package.json'))('exceljs') as {
  Workbook: new () => { addWorksheet(name: string): { addRow(values: unknown[]): void }; xlsx: { writeBuffer(): Promise<ArrayBuffer> } };
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const vn = (text: string) => `${text.replace(' ', 'T')}:00+07:00`;
const event = (id: string, overrides: Record<string, unknown> = {}) => ({
  dossierId: id,
  procedureCode: '2.000488',
  procedureName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
  agencyCode: 'DBN.STP',
  agencyName: 'Sở Tư pháp',
  administrativeLevel: 'province',
  onlineServiceLevel: 'full',
  channel: 'online',
  event: 'received',
  occurredAt: vn('2025-03-03 08:00'),
  dueAt: vn('2025-03-17 17:00'),
  ...overrides,
});
const HEADER = ['Mã hồ sơ', 'Mã thủ tục', 'Tên thủ tục', 'Mã cơ quan', 'Cơ quan', 'Cấp', 'Mức độ DVC', 'Kênh', 'Sự kiện', 'Thời điểm', 'Hạn xử lý'];
const row = (id: string, event: string, time: string, due = '') => [id, '1.001193', 'Đăng ký khai sinh', 'DBN.UBND.094.MTHANH', 'UBND phường Mường Thanh', 'Xã', 'Toàn trình', 'Trực tiếp', event, time, due];

describe('dossiers through the running system', () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts); machine routes take an API key. */
  let staff: SignedIn;
  let machineKey: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'dossiers_api');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-dossiers-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'admin');
    machineKey = await createTestApiKey(database.url, ['ingest', 'dossiers']);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const postJson = (body: unknown) =>
    fetch(`${system.url}/api/v1/dossiers/events`, { method: 'POST', headers: { 'x-api-key': machineKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const eventCount = async (prefix: string) => Number((await client.query('SELECT count(*) FROM dossier_events WHERE dossier_id LIKE $1', [`${prefix}%`])).rows[0].count);
  const getJson = async <T>(pathAndQuery: string) => {
    const response = await staff.fetch(`${system.url}${pathAndQuery}`);
    return { status: response.status, body: (await response.json()) as T };
  };

  it('accepts a batch with 202 and stores it once when it is sent twice', async () => {
    const batch = {
      events: [
        event('WH-1'),
        event('WH-1', { event: 'assigned', occurredAt: vn('2025-03-03 09:00'), dueAt: undefined }),
        event('WH-1', { event: 'resolved', occurredAt: vn('2025-03-10 10:00'), dueAt: undefined }),
        event('WH-2', { channel: 'inPerson', occurredAt: vn('2025-03-04 08:00'), dueAt: vn('2025-03-05 17:00') }),
      ],
    };
    const first = await postJson(batch);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 4, stored: 4, rejected: [] });
    const second = await postJson(batch);
    expect(await second.json()).toEqual({ accepted: 4, stored: 0, rejected: [] });
    expect(await eventCount('WH-')).toBe(4);
  });

  it('answers 400 naming each bad field (events.3.dueAt) and keeps the good events', async () => {
    const response = await postJson({ events: [event('BAD-1'), event('BAD-2'), event('BAD-3', { administrativeLevel: 'ward' }), event('BAD-4', { dueAt: undefined })] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: Array<{ path: string }> }; accepted: number; rejected: Array<{ index: number }> };
    expect(body.error.code).toBe('IOC_ERR_VALIDATION');
    expect(body.error.issues.map((issue) => issue.path)).toEqual(['events.2.administrativeLevel', 'events.3.dueAt']);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((rejection) => rejection.index)).toEqual([2, 3]);
    expect(await eventCount('BAD-')).toBe(2);
  });

  it('imports a CSV export with Vietnamese headers, reporting the bad row by number and column', async () => {
    const csv = [HEADER, row('CSV-1', 'Tiếp nhận', '03/03/2025 08:30', '03/03/2025 17:00'), row('CSV-1', 'Trả kết quả', '03/03/2025 15:00'), row('CSV-2', 'Tiếp nhận', '03/03/2025 09:00', 'ngày mai')]
      .map((cells) => cells.join(','))
      .join('\n');
    const response = await fetch(`${system.url}/api/v1/dossiers/import`, { method: 'POST', headers: { 'x-api-key': machineKey, 'content-type': 'text/csv' }, body: csv });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ format: 'csv', rows: 3, accepted: 2, stored: 2, rejected: [{ row: 4, column: 'Hạn xử lý', field: 'dueAt' }] });
    const state = await client.query("SELECT status, channel, administrative_level FROM dossiers WHERE dossier_id = 'CSV-1'");
    expect(state.rows).toEqual([{ status: 'resolved', channel: 'inPerson', administrative_level: 'commune' }]);
  });

  it('imports an XLSX export, reporting the bad row by number and column', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Hồ sơ');
    sheet.addRow(HEADER);
    sheet.addRow(row('XLSX-1', 'Tiếp nhận', '04/03/2025 08:30', '06/03/2025 17:00'));
    sheet.addRow([...row('XLSX-2', 'Tiếp nhận', '04/03/2025 09:00', '06/03/2025 17:00').slice(0, 7), 'Fax', ...row('', 'Tiếp nhận', '04/03/2025 09:00', '06/03/2025 17:00').slice(8)]);
    sheet.addRow(row('XLSX-3', 'Tiếp nhận', '04/03/2025 10:00', '06/03/2025 17:00'));
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const response = await fetch(`${system.url}/api/v1/dossiers/import`, { method: 'POST', headers: { 'x-api-key': machineKey, 'content-type': XLSX }, body: bytes });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ format: 'xlsx', rows: 3, accepted: 2, rejected: [{ row: 3, column: 'Kênh', field: 'channel', reason: expect.stringContaining('"Fax"') }] });
    expect(await eventCount('XLSX-')).toBe(2);
  });

  it('imports a file from the command line (`ioc import-dossiers FILE`)', async () => {
    const file = path.join(dataDirectory, 'ho-so.csv');
    writeFileSync(file, [HEADER, row('CLI-1', 'Tiếp nhận', '05/03/2025 08:30', '05/03/2025 17:00'), row('CLI-1', 'Đã giải quyết', '05/03/2025 10:00')].map((cells) => cells.join(';')).join('\r\n'));
    const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/src/bin/ioc.ts'), 'import-dossiers', file], {
      cwd: dataDirectory,
      env: { ...process.env, DATABASE_URL: database.url },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ format: 'csv', rows: 2, accepted: 2, stored: 2, rejected: [] });
    expect(await eventCount('CLI-')).toBe(2);
  });

  it('reads KPIs per agency for a period', async () => {
    const { status, body } = await getJson<DossierKpiReport>(`/api/v1/dossiers/kpis?from=2025-03-03&to=2025-03-10&groupBy=agency&level=province`);
    expect(status).toBe(200);
    // Sở Tư pháp: WH-1 (due 17 March) is resolved on 10 March, after the period: in progress and not yet due at its end;
    // WH-2 due 5 March and open: overdue; BAD-1 and BAD-2 received 3 March, due 17 March: not yet due.
    expect(body.rows.map((entry) => entry.key)).toEqual(['DBN.STP']);
    expect(body.total).toMatchObject({ received: 4, receivedOnline: 3, toProcess: 4, resolved: 0, inProgressOverdue: 1, inProgressNotYetDue: 3, late: 1, lateRatePercent: 25, onTimeRatePercent: 75 });
    const commune = await getJson<DossierKpiReport>(`/api/v1/dossiers/kpis?from=2025-03-03&to=2025-03-06&groupBy=day&level=commune`);
    expect(commune.body.rows.map((entry) => [entry.key, entry.received, entry.resolved])).toEqual([
      ['2025-03-03', 1, 1],
      ['2025-03-04', 2, 0],
      ['2025-03-05', 1, 1],
    ]);
  });

  it('lists overdue dossiers per agency', async () => {
    const { body } = await getJson<{ total: number; byAgency: Array<{ agencyCode: string; overdue: number }>; dossiers: Array<{ dossierId: string }> }>('/api/v1/dossiers/overdue?agency=DBN.STP&limit=5');
    // Today is long after March 2025: every open Sở Tư pháp dossier is overdue.
    expect(body.byAgency).toEqual([expect.objectContaining({ agencyCode: 'DBN.STP', overdue: 3 })]);
    expect(body.dossiers.map((dossier) => dossier.dossierId)).toEqual(['WH-2', 'BAD-1', 'BAD-2']);
  });

  it.each([
    { query: '?groupBy=week', path: 'groupBy' },
    { query: '?from=2025-03-10&to=2025-03-03', path: 'from' },
    { query: '?from=2020-01-01&to=2025-03-03&groupBy=day', path: 'from' },
    { query: '?level=ward', path: 'level' },
  ])('refuses a bad KPI query $query naming $path', async ({ query, path: field }) => {
    const { status, body } = await getJson<{ error: { code: string; issues: Array<{ path: string }> } }>(`/api/v1/dossiers/kpis${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('IOC_ERR_BAD_QUERY');
    expect(body.error.issues.map((issue) => issue.path)).toContain(field);
  });
});
