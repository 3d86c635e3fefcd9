import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iocError, type Device, type StoredReading } from '@ioc/schemas';
import { DeviceRegistry } from './device-registry';
import { READING_INGEST_PATH, createReadingIngestRouter } from './reading-ingest-router';
import { SensorIngest } from './sensor-ingest';

/** The router in a bare express app on port 0, with the real SensorIngest over an in-memory writer. */
const logger = pino({ level: 'silent' });
const device: Device = {
  id: 'aq-1',
  type: 'Device',
  name: 'aq-1',
  category: 'sensor',
  controlledProperty: ['pm25'],
  location: { type: 'Point', coordinates: [105.85, 21.03] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
};
const isoSecondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const good = () => ({ deviceId: 'aq-1', property: 'pm25', value: 12, observedAt: isoSecondsAgo(10) });

describe('POST /api/v1/ingest/readings', () => {
  let server: Server;
  let url: string;
  const written: StoredReading[] = [];
  let writerFailure: Error | undefined;

  beforeAll(async () => {
    const registry = new DeviceRegistry({ repository: { list: async () => [device] }, logger });
    await registry.refresh();
    const writer = {
      writeReadings: async (rows: StoredReading[]) => {
        if (writerFailure) throw writerFailure;
        written.push(...rows);
      },
    };
    const sensorIngest = new SensorIngest({ registry, writer, bus: { publish: () => {} }, config: { ingest: { maxReadingAgeSeconds: 86_400, maxFutureSkewSeconds: 300 } }, logger });
    const app = express();
    app.use(createReadingIngestRouter({ sensorIngest, bodyLimitBytes: 4096, logger }));
    app.use((_err: unknown, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
      response.status(500).json({ error: { code: 'IOC_ERR_INTERNAL', message: 'reached the app error handler' } });
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${READING_INGEST_PATH}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = async (body: string, contentType: string | null = 'application/json') => {
    // fetch labels a string body text/plain; bytes go without a content type.
    const response = await fetch(url, contentType ? { method: 'POST', headers: { 'content-type': contentType }, body } : { method: 'POST', body: new TextEncoder().encode(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; issues?: Array<{ path: string }> } } };
  };

  it('answers 202 with the result when every reading is accepted', async () => {
    const before = written.length;
    const response = await post(JSON.stringify({ readings: [good(), good()] }));
    expect(response).toEqual({ status: 202, body: { accepted: 2, rejected: [] } });
    expect(written.length).toBe(before + 2);
  });

  it('accepts a JSON subtype with a charset', async () => {
    expect((await post(JSON.stringify({ readings: [good()] }), 'application/vnd.ioc+json; charset=utf-8')).status).toBe(202);
  });

  it('answers 400 naming each rejected field from the body root, and stores the valid readings', async () => {
    const before = written.length;
    const response = await post(JSON.stringify({ readings: [good(), { ...good(), value: 'high' }, { ...good(), deviceId: 'nope' }, { ...good(), extra: 1 }] }));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: 'IOC_ERR_VALIDATION', message: expect.stringContaining('3 of 4 readings rejected, 1 accepted') },
      accepted: 1,
      rejected: [
        { index: 1, code: 'IOC_ERR_VALIDATION', issues: [expect.objectContaining({ path: 'readings.1.value' })] },
        { index: 2, code: 'IOC_ERR_UNKNOWN_DEVICE', issues: [expect.objectContaining({ path: 'readings.2.deviceId' })] },
        { index: 3, code: 'IOC_ERR_VALIDATION', issues: [expect.objectContaining({ path: 'readings.3' })] },
      ],
    });
    expect(response.body.error?.issues?.map((issue) => issue.path)).toEqual(['readings.1.value', 'readings.2.deviceId', 'readings.3']);
    expect(written.length).toBe(before + 1);
  });

  it.each([
    { name: 'malformed JSON', body: '{"readings": [', contentType: 'application/json', status: 400, code: 'IOC_ERR_MALFORMED_JSON' },
    { name: 'a top-level string (strict JSON)', body: '"readings"', contentType: 'application/json', status: 400, code: 'IOC_ERR_MALFORMED_JSON' },
    { name: 'text/plain', body: 'pm25=3', contentType: 'text/plain', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'no content type', body: '{"readings":[]}', contentType: null, status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a charset other than UTF-8', body: '{"readings":[]}', contentType: 'application/json; charset=latin1', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a body over the limit', body: JSON.stringify({ readings: [{ ...good(), pad: 'x'.repeat(5000) }] }), contentType: 'application/json', status: 413, code: 'IOC_ERR_PAYLOAD_TOO_LARGE' },
    { name: 'a body without readings', body: '{"values": []}', contentType: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
    { name: 'an empty batch', body: '{"readings": []}', contentType: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
    { name: 'an empty body', body: '', contentType: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
  ])('answers $name with $status $code', async ({ body, contentType, status, code }) => {
    const response = await post(body, contentType);
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
    expect(response.body.error?.message.length).toBeGreaterThan(10);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('answers 503 when the readings cannot be made durable, and passes uncoded errors on to the app', async () => {
    writerFailure = iocError('IOC_ERR_OUTBOX', 'Accepted data could not be written to the outbox.');
    expect(await post(JSON.stringify({ readings: [good()] }))).toMatchObject({ status: 503, body: { error: { code: 'IOC_ERR_OUTBOX' } } });
    writerFailure = new Error('a bug');
    expect(await post(JSON.stringify({ readings: [good()] }))).toMatchObject({ status: 500, body: { error: { message: 'reached the app error handler' } } });
    writerFailure = undefined;
  });
});
