import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import pino from 'pino';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OPEN311_SERVICES, resolveConfig, type Alert, type BusMessage, type Open311ServiceRequest } from '@ioc/schemas';
import { Open311ApiKeyRepository, createPool, migrate } from '@ioc/store';
import { cleanPhoto } from '@ioc/api';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { signInAs, type SignedIn } from './setup/accounts';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Open311 GeoReport v2 and operator triage through the whole system (real PostgreSQL, Mosquitto, HTTP):
 * shapes against the real Chicago requests in ../shared/data/open311, JSON and XML, API keys, the anonymous
 * rate limit, a photo whose EXIF GPS block must not survive, and a report triaged, resolved and followed by
 * the citizen.
 */
const chicago = (sharedDataMissingReason ? [] : JSON.parse(readFileSync(path.join(SHARED_DATA_DIRECTORY, 'open311/chicago-georeport-v2-sample.json'), 'utf8'))) as Array<Record<string, unknown>>;

/** A small PNG built by hand (RGB, filter 0 rows), a gradient so the JPEG is not trivial. */
function gradientPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(typed));
    return Buffer.concat([length, typed, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const raw = Buffer.alloc(height * (width * 3 + 1));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * (width * 3 + 1) + 1 + x * 3;
      raw[at] = (x * 255) / width;
      raw[at + 1] = (y * 255) / height;
      raw[at + 2] = 128;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** An APP1 Exif segment (little-endian TIFF) whose IFD0 points at a GPS IFD: 21°23'N, 103°1'E — Điện Biên Phủ. */
function exifGpsSegment(): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 4 * 12 + 4 + 48);
  tiff.write('II', 0, 'ascii');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry, GPSInfo
  tiff.writeUInt16LE(0x8825, 10);
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  const gpsIfd = 8 + 2 + 12 + 4;
  tiff.writeUInt32LE(gpsIfd, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  tiff.writeUInt16LE(4, gpsIfd);
  const rationals = gpsIfd + 2 + 4 * 12 + 4;
  const entry = (index: number, tag: number, type: number, count: number, value: (at: number) => void) => {
    const at = gpsIfd + 2 + index * 12;
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    value(at + 8);
  };
  entry(0, 0x0001, 2, 2, (at) => tiff.write('N\0', at, 'ascii'));
  entry(1, 0x0002, 5, 3, (at) => tiff.writeUInt32LE(rationals, at));
  entry(2, 0x0003, 2, 2, (at) => tiff.write('E\0', at, 'ascii'));
  entry(3, 0x0004, 5, 3, (at) => tiff.writeUInt32LE(rationals + 24, at));
  [21, 1, 23, 1, 0, 1, 103, 1, 1, 1, 0, 1].forEach((value, index) => tiff.writeUInt32LE(value, rationals + index * 4));
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** A JPEG (encoded with jpeg-js, through the API's own encoder) with the GPS block spliced in after SOI. */
function jpegWithGps(): Buffer {
  const base = cleanPhoto(gradientPng(96, 64)).jpeg;
  return Buffer.concat([base.subarray(0, 2), exifGpsSegment(), base.subarray(2)]);
}

const hasExif = (bytes: Buffer) => bytes.includes(Buffer.from('Exif\0\0', 'binary'));

describe('Open311 GeoReport v2 and field-report triage, whole system', () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts). */
  let staff: SignedIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let apiKey: string;
  let client: pg.Client;
  const published: Alert[] = [];
  let addressCounter = 0;
  /** Each test speaks from its own client address (X-Forwarded-For from loopback is trusted), so limits do not leak between tests. */
  const nextAddress = () => `198.51.100.${(addressCounter += 1)}`;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'open311_system');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    apiKey = (await new Open311ApiKeyRepository(pool).create('Ứng dụng Điện Biên Smart')).key;
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-open311-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'admin');
    system.bus.subscribe((message: BusMessage) => {
      if (message.kind === 'alert' && message.alert.category === 'citizenReport') published.push(message.alert);
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const url = (pathname: string) => `${system.url}/open311/v2/${pathname}`;
  const submit = (fields: Record<string, string>, options: { format?: 'json' | 'xml'; address?: string } = {}) =>
    fetch(url(`requests.${options.format ?? 'json'}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': options.address ?? nextAddress() },
      body: new URLSearchParams(fields).toString(),
    });
  const pothole = { service_code: 'GT-OGA', lat: '21.3861', long: '103.0232', address_string: 'Đường Võ Nguyên Giáp, phường Mường Thanh', description: 'Ổ gà lớn giữa làn xe máy', 'attribute[KICH_THUOC]': 'lon' };
  const getRequest = async (id: string, query = '') => ((await (await fetch(url(`requests/${id}.json${query}`))).json()) as Open311ServiceRequest[])[0] as Open311ServiceRequest;
  const triage = async (id: string, action: string, body: unknown) => staff.fetch(`${system.url}/api/v1/field-reports/${id}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('lists the services in Vietnamese, or English with lang=en, in JSON and XML', async () => {
    const services = (await (await fetch(url('services.json'))).json()) as Array<Record<string, unknown>>;
    expect(services).toHaveLength(OPEN311_SERVICES.length);
    expect(services[0]).toEqual({ service_code: 'GT-OGA', service_name: 'Ổ gà, ổ voi trên đường', description: expect.any(String), metadata: true, type: 'realtime', keywords: expect.any(String), group: 'Hạ tầng giao thông' });
    const groups = new Set(services.map((service) => service.group));
    for (const group of ['Hạ tầng giao thông', 'Chiếu sáng công cộng', 'Vệ sinh môi trường', 'Cấp thoát nước', 'Trật tự đô thị', 'An toàn giao thông', 'Cây xanh']) expect(groups).toContain(group);
    const english = (await (await fetch(url('services.json?lang=en'))).json()) as Array<Record<string, unknown>>;
    expect(english[0]).toMatchObject({ service_name: 'Pothole', group: 'Road infrastructure' });
    const xmlResponse = await fetch(url('services.xml'));
    expect(xmlResponse.headers.get('content-type')).toMatch(/application\/xml/);
    const xml = await xmlResponse.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\s*<services>\s*<service>\s*<service_code>GT-OGA<\/service_code>\s*<service_name>Ổ gà, ổ voi trên đường<\/service_name>/);
    expect(xml.match(/<service>/g)).toHaveLength(OPEN311_SERVICES.length);
  });

  it('serves a service definition with its attributes', async () => {
    const definition = (await (await fetch(url('services/ATGT.json'))).json()) as { service_code: string; attributes: Array<Record<string, unknown>> };
    expect(definition.service_code).toBe('ATGT');
    expect(definition.attributes[0]).toMatchObject({ variable: true, code: 'LOAI', datatype: 'singlevaluelist', required: true, order: 1, datatype_description: '', values: expect.arrayContaining([{ key: 'den_tin_hieu', name: 'Đèn tín hiệu hỏng' }]) });
    const xml = await (await fetch(url('services/ATGT.xml'))).text();
    expect(xml).toMatch(/<service_definition>\s*<service_code>ATGT<\/service_code>\s*<attributes>\s*<attribute>\s*<variable>true<\/variable>\s*<code>LOAI<\/code>/);
    expect(xml).toMatch(/<values>\s*<value>\s*<key>den_tin_hieu<\/key>\s*<name>Đèn tín hiệu hỏng<\/name>/);
    const missing = await fetch(url('services/NOPE.xml'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/<errors>\s*<error>\s*<code>404<\/code>\s*<description>service_code NOPE not found<\/description>/);
  });

  it('takes a keyed submission and answers as the spec: [{service_request_id, service_notice, account_id}]', async () => {
    const response = await submit({ ...pothole, api_key: apiKey, account_id: 'citizen-42', email: 'dan@example.vn' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Array<Record<string, unknown>>;
    expect(body).toEqual([{ service_request_id: expect.stringMatching(/^\d{2}-\d{8}$/), service_notice: expect.stringContaining('Sở Xây dựng'), account_id: 'citizen-42' }]);
    const id = body[0]?.service_request_id as string;
    const stored = await client.query('SELECT r.contact, k.name FROM field_reports r JOIN open311_api_keys k ON k.id = r.api_key_id WHERE r.id = $1', [id]);
    expect(stored.rows[0]).toEqual({ contact: { email: 'dan@example.vn', accountId: 'citizen-42' }, name: 'Ứng dụng Điện Biên Smart' });
    // The contact details stay inside: never in the Open311 answer.
    expect(JSON.stringify(await getRequest(id))).not.toContain('dan@example.vn');
  });

  it('answers a submission in XML when the URL says .xml', async () => {
    const response = await submit({ ...pothole, api_key: apiKey }, { format: 'xml' });
    expect(response.status).toBe(201);
    expect(await response.text()).toMatch(/<service_requests>\s*<request>\s*<service_request_id>\d{2}-\d{8}<\/service_request_id>\s*<service_notice>[^<]+<\/service_notice>\s*<account_id\/>\s*<\/request>\s*<\/service_requests>/);
  });

  it.each<{ name: string; fields: Record<string, string>; status: number; match: RegExp }>([
    { name: 'no location', fields: { service_code: 'GT-OGA', description: 'x' }, status: 400, match: /location is required/ },
    { name: 'an unknown service', fields: { ...pothole, service_code: 'NOPE' }, status: 400, match: /service_code NOPE/ },
    { name: 'a bad attribute value', fields: { ...pothole, 'attribute[KICH_THUOC]': 'khổng lồ' }, status: 400, match: /KICH_THUOC/ },
    { name: 'a required attribute missing', fields: { service_code: 'ATGT', lat: '21.39', long: '103.02' }, status: 400, match: /attribute\[LOAI\]: required/ },
    { name: 'latitude out of range', fields: { ...pothole, lat: '123' }, status: 400, match: /lat/ },
    { name: 'an unknown api_key', fields: { ...pothole, api_key: 'ioc311_nope' }, status: 403, match: /Invalid api_key/ },
    { name: 'another jurisdiction', fields: { ...pothole, jurisdiction_id: 'hanoi.gov.vn' }, status: 404, match: /jurisdiction_id hanoi.gov.vn/ },
  ])('refuses $name with the spec error array', async ({ fields, status, match }) => {
    const response = await submit(fields);
    expect(response.status).toBe(status);
    const body = (await response.json()) as Array<{ code: number; description: string }>;
    expect(Array.isArray(body)).toBe(true);
    expect(body.every((error) => error.code === status && typeof error.description === 'string')).toBe(true);
    expect(body.map((error) => error.description).join(' ')).toMatch(match);
  });

  it('rate-limits anonymous submissions per client address (10 per hour) with 429 in the spec format; keyed apps pass', async () => {
    const address = nextAddress();
    for (let index = 0; index < 10; index += 1) expect((await submit(pothole, { address })).status).toBe(201);
    const limited = await submit(pothole, { address });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual([{ code: 429, description: expect.stringMatching(/Too many submissions/) }]);
    const limitedXml = await submit(pothole, { address, format: 'xml' });
    expect(limitedXml.status).toBe(429);
    expect(await limitedXml.text()).toMatch(/<errors>\s*<error>\s*<code>429<\/code>/);
    expect((await submit({ ...pothole, api_key: apiKey }, { address })).status).toBe(201);
    expect((await submit(pothole)).status).toBe(201); // another address
  });

  it('strips EXIF (GPS included) from an uploaded photo, stores it by sha256 and links it as media_url', async () => {
    const original = jpegWithGps();
    expect(hasExif(original)).toBe(true);
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...pothole, api_key: apiKey })) form.append(name, value);
    form.append('media', new Blob([new Uint8Array(original)], { type: 'image/jpeg' }), 'IMG_0001.jpg');
    const response = await fetch(url('requests.json'), { method: 'POST', body: form, headers: { 'x-forwarded-for': nextAddress() } });
    expect(response.status).toBe(201);
    const id = ((await response.json()) as Array<{ service_request_id: string }>)[0]?.service_request_id as string;
    const request = await getRequest(id);
    expect(request.media_url).toMatch(new RegExp(`^${system.url}/open311/v2/media/[0-9a-f]{64}\\.jpg$`));
    const photo = Buffer.from(await (await fetch(request.media_url as string)).arrayBuffer());
    expect([photo[0], photo[1], photo[2]]).toEqual([0xff, 0xd8, 0xff]);
    expect(hasExif(photo)).toBe(false);
    expect(photo.includes(Buffer.from('N\0', 'binary')) && photo.includes(Buffer.from([103, 0, 0, 0, 1, 0, 0, 0]))).toBe(false);
    const sha256 = /([0-9a-f]{64})\.jpg$/.exec(request.media_url as string)?.[1] as string;
    expect(readFileSync(path.join(dataDirectory, 'open311-media', sha256.slice(0, 2), `${sha256}.jpg`)).equals(photo)).toBe(true);
  });

  it.each([
    { name: 'a file that is not an image (by its bytes, whatever its name)', bytes: Buffer.from('GIF89a not really a photo'), status: 415 },
    { name: 'a photo over 8 MiB', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(8 * 1024 * 1024 + 10)]), status: 413 },
    { name: 'a truncated JPEG', bytes: jpegWithGps().subarray(0, 200), status: 415 },
  ])('refuses $name', async ({ bytes, status }) => {
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...pothole, api_key: apiKey })) form.append(name, value);
    form.append('media', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
    const response = await fetch(url('requests.json'), { method: 'POST', body: form });
    expect(response.status).toBe(status);
    expect(((await response.json()) as Array<{ code: number }>)[0]?.code).toBe(status);
  });

  it('is triaged, resolved with a photo and followed by the citizen; every change in the history; the wall hears of it', async () => {
    const { 'attribute[KICH_THUOC]': _size, ...location } = pothole;
    const response = await submit({ ...location, service_code: 'KHAC', api_key: apiKey, description: 'Cột đèn nghiêng sắp đổ' });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Array<{ service_request_id: string }>;
    const id = created[0]?.service_request_id as string;
    await expect.poll(() => published.filter((alert) => alert.alertSource === id).length).toBe(1);

    expect((await triage(id, 'categorise', { operator: 'trucban.hoa', serviceCode: 'CS-DEN' })).status).toBe(200);
    let citizen = await getRequest(id);
    expect(citizen).toMatchObject({ status: 'open', service_code: 'CS-DEN', service_name: 'Đèn chiếu sáng công cộng hỏng', agency_responsible: 'Phòng Quản lý đô thị thành phố Điện Biên Phủ' });

    const dueAt = new Date(Date.now() + 48 * 3_600_000).toISOString();
    const assigned = await triage(id, 'assign', { operator: 'trucban.hoa', agency: 'Điện lực Điện Biên', dueAt });
    expect(assigned.status).toBe(200);
    expect(((await assigned.json()) as { report: { status: string } }).report.status).toBe('assigned');
    citizen = await getRequest(id);
    expect(citizen).toMatchObject({ status: 'open', agency_responsible: 'Điện lực Điện Biên', expected_datetime: dueAt, status_notes: expect.stringContaining('Điện lực Điện Biên') });

    expect((await triage(id, 'notes', { operator: 'trucban.hoa', note: 'Gọi lại cho người dân lúc 9h', public: false })).status).toBe(200);
    expect((await getRequest(id)).status_notes).not.toContain('Gọi lại');

    const form = new FormData();
    form.append('operator', 'trucban.hoa');
    form.append('note', 'Đã dựng lại cột đèn và thay bóng.');
    form.append('media', new Blob([new Uint8Array(gradientPng(40, 30))], { type: 'image/png' }), 'fixed.png');
    const resolved = await staff.fetch(`${system.url}/api/v1/field-reports/${id}/resolve`, { method: 'POST', body: form });
    expect(resolved.status).toBe(200);
    citizen = await getRequest(id);
    expect(citizen).toMatchObject({ status: 'closed', status_notes: 'Đã dựng lại cột đèn và thay bóng.' });
    expect(citizen.notes?.map((note) => note.type)).toEqual(['opened', 'activity', 'activity', 'closed']);
    const closing = citizen.notes?.at(-1);
    expect(closing?.media_url).toMatch(/\/open311\/v2\/media\/[0-9a-f]{64}\.jpg$/);
    expect((await fetch(closing?.media_url as string)).status).toBe(200);
    const xml = await (await fetch(url(`requests/${id}.xml`))).text();
    expect(xml).toMatch(new RegExp(`<service_requests>\\s*<request>\\s*<service_request_id>${id}</service_request_id>\\s*<status>closed</status>`));
    expect(xml).toMatch(/<notes>\s*<note>\s*<datetime>/);

    const again = await triage(id, 'resolve', { operator: 'trucban.hoa', note: 'lần nữa' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_INVALID_TRANSITION');
    expect((await triage(id, 'reopen', { operator: 'lanhdao.minh', note: 'Người dân báo đèn lại tắt.' })).status).toBe(200);
    expect((await getRequest(id)).status).toBe('open');

    const detail = (await (await staff.fetch(`${system.url}/api/v1/field-reports/${id}`)).json()) as { history: Array<{ action: string; actor: string; public: boolean }> };
    expect(detail.history.map((entry) => entry.action)).toEqual(['opened', 'categorised', 'assigned', 'noted', 'resolved', 'reopened']);
    expect(detail.history[0]?.actor).toBe('app:Ứng dụng Điện Biên Smart');
    expect(detail.history.find((entry) => entry.action === 'noted')?.public).toBe(false);
    // created, categorised, assigned, resolved, reopened: each announced as an alert for the wall
    await expect.poll(() => published.filter((alert) => alert.alertSource === id).length).toBe(5);
    const last = published.filter((alert) => alert.alertSource === id).at(-1) as Alert;
    expect(last).toMatchObject({ id: `field-report-${id}`, category: 'citizenReport', subCategory: 'fieldReport', location: { type: 'Point', coordinates: [103.0232, 21.3861] } });
  });

  it('lists requests with filters and paging (default page_size 100)', async () => {
    const all = (await (await fetch(url('requests.json'))).json()) as Open311ServiceRequest[];
    expect(all.length).toBeGreaterThan(10);
    const times = all.map((request) => Date.parse(request.requested_datetime));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const closed = (await (await fetch(url('requests.json?status=closed'))).json()) as Open311ServiceRequest[];
    expect(closed.every((request) => request.status === 'closed')).toBe(true);
    const lights = (await (await fetch(url('requests.json?service_code=CS-DEN'))).json()) as Open311ServiceRequest[];
    expect(lights.length).toBe(1);
    const pageTwo = (await (await fetch(url('requests.json?page_size=2&page=2'))).json()) as Open311ServiceRequest[];
    expect(pageTwo.map((request) => request.service_request_id)).toEqual(all.slice(2, 4).map((request) => request.service_request_id));
    const byIds = (await (await fetch(url(`requests.json?service_request_id=${all[0]?.service_request_id},${all[3]?.service_request_id}&status=closed`))).json()) as Open311ServiceRequest[];
    expect(byIds).toHaveLength(2);
    const future = (await (await fetch(url(`requests.json?start_date=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`))).json()) as unknown[];
    expect(future).toEqual([]);
    const bad = await fetch(url('requests.xml?status=pending'));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/<errors>\s*<error>\s*<code>400<\/code>/);
    // The wall polls the same list under /api/v1/open311.
    expect((await fetch(`${system.url}/api/v1/open311/requests.json`)).status).toBe(200);
  });

  it.skipIf(sharedDataMissingReason !== undefined)(`answers with the same keys and JSON types as the real GeoReport v2 requests in ../shared/data/open311 ${sharedDataMissingReason ?? ''}`, async () => {
    const id = ((await (await submit({ ...pothole, api_key: apiKey })).json()) as Array<{ service_request_id: string }>)[0]?.service_request_id as string;
    await triage(id, 'assign', { operator: 'trucban.hoa', agency: 'Sở Xây dựng' });
    const form = new FormData();
    form.append('operator', 'trucban.hoa');
    form.append('note', 'Đã vá ổ gà.');
    await staff.fetch(`${system.url}/api/v1/field-reports/${id}/resolve`, { method: 'POST', body: form });
    const ours = (await getRequest(id)) as unknown as Record<string, unknown>;
    const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
    const specKeys = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'agency_responsible', 'requested_datetime', 'updated_datetime', 'address', 'lat', 'long', 'attributes', 'notes'];
    for (const sample of chicago) {
      for (const key of specKeys.filter((name) => name in sample)) {
        expect(typeOf(ours[key]), key).toBe(typeOf(sample[key]));
      }
      expect(['open', 'closed']).toContain(sample.status);
    }
    // media_url: a string where a photo exists (two Chicago requests have one)
    expect(chicago.filter((sample) => 'media_url' in sample).every((sample) => typeof sample.media_url === 'string')).toBe(true);
    // Dates: W3C with an offset, as Chicago's; notes: datetime, summary, type (+ description).
    for (const key of ['requested_datetime', 'updated_datetime', 'expected_datetime']) expect(ours[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const sampleNote = (chicago[0]?.notes as Array<Record<string, unknown>>)[1] as Record<string, unknown>;
    const ourNote = (ours.notes as Array<Record<string, unknown>>).at(-1) as Record<string, unknown>;
    for (const key of ['datetime', 'summary', 'description', 'type']) expect(typeOf(ourNote[key]), `notes.${key}`).toBe(typeOf(sampleNote[key]));
    expect((ours.notes as Array<{ type: string }>).map((note) => note.type)).toEqual(['opened', 'activity', 'closed']);
  });
});
