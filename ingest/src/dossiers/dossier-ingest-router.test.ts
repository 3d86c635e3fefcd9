import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DossierEvent } from '@ioc/schemas';
import { DOSSIER_EVENTS_PATH, DOSSIER_IMPORT_PATH, XLSX_MEDIA_TYPE, createDossierIngestRouter, detectFileFormat, firstMultipartFile } from './dossier-ingest-router';
import { DossierIngest } from './dossier-ingest';

/** The router in a bare express app on port 0, with the real DossierIngest over an in-memory, idempotent sink. */
const logger = pino({ level: 'silent' });
const event = (index: number, overrides: Record<string, unknown> = {}) => ({
  dossierId: `HS-${index}`,
  procedureCode: '2.000488',
  procedureName: 'Cấp Phiếu lý lịch tư pháp',
  agencyCode: 'SO-TP',
  agencyName: 'Sở Tư pháp',
  administrativeLevel: 'province',
  onlineServiceLevel: 'full',
  channel: 'online',
  event: 'received',
  occurredAt: '2025-03-03T08:00:00+07:00',
  dueAt: '2025-03-17T17:00:00+07:00',
  ...overrides,
});

describe('dossier ingest router', () => {
  let server: Server;
  let base: string;
  const stored = new Map<string, DossierEvent>();

  beforeAll(async () => {
    const sink = {
      writeEvents: async (events: DossierEvent[]) => {
        let count = 0;
        for (const item of events) {
          const key = `${item.dossierId}|${item.event}|${Date.parse(item.occurredAt)}`;
          if (!stored.has(key)) count += 1;
          stored.set(key, item);
        }
        return { stored: count };
      },
    };
    const app = express();
    app.use(createDossierIngestRouter({ dossierIngest: new DossierIngest({ sink, logger }), bodyLimitBytes: 64 * 1024, importLimitBytes: 64 * 1024, logger }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = async (path: string, body: string | Uint8Array, contentType: string) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; issues?: Array<{ path: string }> } } };
  };

  it('accepts a batch with 202 and stores a resent batch once', async () => {
    const body = JSON.stringify({ events: [event(1), event(2)] });
    expect(await post(DOSSIER_EVENTS_PATH, body, 'application/json')).toEqual({ status: 202, body: { accepted: 2, stored: 2, rejected: [] } });
    expect(await post(DOSSIER_EVENTS_PATH, body, 'application/json')).toEqual({ status: 202, body: { accepted: 2, stored: 0, rejected: [] } });
  });

  it('answers 400 naming each bad field from the body root and stores the good events', async () => {
    const response = await post(
      DOSSIER_EVENTS_PATH,
      JSON.stringify({ events: [event(10), event(11), event(12, { channel: 'fax' }), event(13, { dueAt: undefined })] }),
      'application/json',
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'IOC_ERR_VALIDATION' }, accepted: 2, stored: 2, rejected: [{ index: 2 }, { index: 3 }] });
    expect(response.body.error?.issues?.map((issue) => issue.path)).toEqual(['events.2.channel', 'events.3.dueAt']);
  });

  it.each([
    { name: 'an empty batch', body: JSON.stringify({ events: [] }), type: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
    { name: 'malformed JSON', body: '{"events": [', type: 'application/json', status: 400, code: 'IOC_ERR_MALFORMED_JSON' },
    { name: 'not JSON', body: 'events', type: 'text/plain', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a body over the limit', body: JSON.stringify({ events: Array.from({ length: 400 }, (_, index) => event(index)) }), type: 'application/json', status: 413, code: 'IOC_ERR_PAYLOAD_TOO_LARGE' },
  ])('refuses $name', async ({ body, type, status, code }) => {
    const response = await post(DOSSIER_EVENTS_PATH, body, type);
    expect(response.status).toBe(status);
    expect(response.body.error?.code).toBe(code);
  });

  const csv = [
    'Mã hồ sơ,Mã thủ tục,Tên thủ tục,Cơ quan,Cấp,Mức độ DVC,Kênh,Sự kiện,Thời điểm,Hạn xử lý',
    'CSV-1,2.000488,Cấp Phiếu lý lịch tư pháp,Sở Tư pháp,Tỉnh,Toàn trình,Trực tuyến,Tiếp nhận,03/03/2025 08:00,17/03/2025 17:00',
    'CSV-2,2.000488,Cấp Phiếu lý lịch tư pháp,Sở Tư pháp,Tỉnh,Toàn trình,Trực tuyến,Tiếp nhận,03/03/2025 08:00,hôm qua',
  ].join('\n');

  it('imports a raw CSV body: good rows stored, the bad row reported by row and column', async () => {
    const response = await post(DOSSIER_IMPORT_PATH, csv, 'text/csv; charset=utf-8');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ format: 'csv', rows: 2, accepted: 1, stored: 1, rejected: [{ row: 3, column: 'Hạn xử lý', field: 'dueAt' }] });
    expect(response.body.error?.issues?.[0]?.path).toBe('rows.3.Hạn xử lý');
  });

  it('imports a CSV sent as a multipart file', async () => {
    const form = new FormData();
    form.append('file', new Blob([csv.split('\n').slice(0, 2).join('\n')], { type: 'text/csv' }), 'ho-so.csv');
    const response = await fetch(`${base}${DOSSIER_IMPORT_PATH}`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ format: 'csv', rows: 1, accepted: 1, stored: 0, rejected: [] });
  });

  it('refuses a body that is neither CSV nor XLSX', async () => {
    expect((await post(DOSSIER_IMPORT_PATH, '{}', 'application/json')).status).toBe(415);
  });

  it.each([
    { type: XLSX_MEDIA_TYPE, name: undefined, bytes: 'x', expected: 'xlsx' },
    { type: 'text/csv', name: undefined, bytes: 'x', expected: 'csv' },
    { type: 'application/octet-stream', name: undefined, bytes: 'PK\u0003\u0004', expected: 'xlsx' },
    { type: 'application/octet-stream', name: 'a.CSV', bytes: 'PK\u0003\u0004', expected: 'csv' },
    { type: 'image/png', name: undefined, bytes: 'x', expected: undefined },
  ])('detects $type $name as $expected', ({ type, name, bytes, expected }) => {
    expect(detectFileFormat(type, name, Buffer.from(bytes, 'latin1'))).toBe(expected);
  });

  it('finds the file part of a multipart body', () => {
    const body = Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="h.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n--XyZ--\r\n');
    expect(firstMultipartFile(body, 'multipart/form-data; boundary=XyZ')).toEqual({ bytes: Buffer.from('a,b\r\n1,2'), fileName: 'h.csv', mediaType: 'text/csv' });
  });
});
