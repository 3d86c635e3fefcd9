import type pg from 'pg';
import pino from 'pino';
import { createAdapter } from '@socket.io/postgres-adapter';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Alert, type ViolationActionEntry, type ViolationRecord } from '@ioc/schemas';
import { HashedFileStore, LocalBus, ViolationActionRepository, ViolationRepository, createPool, migrate } from '@ioc/store';
import { LiveHub, PoliceGateway, createPoliceRouter, createViolationRouter, startApiServer, type ApiServer } from '@ioc/api';
import { createTestDatabase } from './setup/database';
import { signInAs, type SignedIn } from './setup/accounts';

/**
 * Two API nodes on one PostgreSQL joined by @socket.io/postgres-adapter, as `ioc api` runs them: an officer
 * confirms a case through node A; an officer of that district connected to `/police` on node B hears it, one of
 * another district on B does not. New violations come to every node from the bus; here both share one LocalBus.
 */
describe('police console across API nodes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const servers: ApiServer[] = [];
  const gateways: PoliceGateway[] = [];
  const sockets: Socket[] = [];
  const bus = new LocalBus();
  let officer: SignedIn;
  let otherDistrict: SignedIn;

  const at = '2026-11-24T01:00:00.000Z';
  const record: ViolationRecord = {
    id: 'v-cross-1',
    cameraId: 'cam-1',
    rule: 'redLightViolation',
    ruleId: 'stop-1',
    trackId: 7,
    vehicleClass: 'motorcycle',
    severity: 'medium',
    occurredAt: at,
    decidedAt: at,
    recordedAt: at,
    confidence: 0.8,
    location: { type: 'Point', coordinates: [105.84, 21.02] },
    districtCode: '001',
    box: [1, 2, 3, 4],
    speedKmh: null,
    advisory: null,
    plateText: null,
    plateConfidence: null,
    evidence: [],
    status: 'new',
  };
  const alert: Alert = { id: record.id, type: 'Alert', category: 'traffic', subCategory: 'redLightViolation', severity: 'medium', dateIssued: at, districtCode: '001' };

  const listen = async (url: string, who: SignedIn) => {
    const socket = connectSocket(`${url}/police`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: who.cookie } });
    sockets.push(socket);
    const received: string[] = [];
    socket.on('violation.new', (violation: ViolationRecord) => received.push(`new:${violation.id}`));
    socket.on('violation.updated', (message: { violation: ViolationRecord; entry: ViolationActionEntry }) => received.push(`updated:${message.violation.id}:${message.violation.status}:${message.entry.officer.username}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('hello', () => resolve());
      socket.once('connect_error', reject);
    });
    return received;
  };

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'police_cross_node');
    pool = createPool(database.url, { max: 12 });
    await migrate(pool, pino({ level: 'silent' }));
    const violations = new ViolationRepository(pool);
    const evidence = new HashedFileStore('/nonexistent-evidence');
    for (let index = 0; index < 2; index += 1) {
      const live: { gateway?: PoliceGateway } = {};
      const server = await startApiServer({
        config: resolveConfig({ server: { port: 0, host: '127.0.0.1' } }, {}),
        logger: pino({ level: 'silent' }),
        pool,
        hub: new LiveHub({ name: 'IOC', center: [105.8, 21], zoom: 11, districts: [] }, { historyMinutes: 5, replayBufferEvents: 100 }),
        status: { databaseEmbedded: false, outbox: () => ({ depthBatches: 0, depthRows: 0 }), broker: () => ({ connected: true, embedded: false, url: 'mqtt://none' }) },
        routers: [
          createPoliceRouter({ violations, actions: new ViolationActionRepository(pool), evidence, onUpdated: (violation, entry) => live.gateway?.updated(violation, entry) }),
          createViolationRouter({ violations, evidence }),
        ],
      });
      server.io.adapter(createAdapter(pool));
      live.gateway = new PoliceGateway({ io: server.io, subscribe: (handler) => bus.subscribe(handler), violations, logger: pino({ level: 'silent' }), crossNode: true });
      servers.push(server);
      gateways.push(live.gateway);
    }
    officer = await signInAs(servers[0]?.url as string, pool, 'police', { districtCodes: ['001'], unit: 'Đội CSGT quận 001' });
    otherDistrict = await signInAs(servers[0]?.url as string, pool, 'police', { districtCodes: ['002'] });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const gateway of gateways) gateway.close();
    for (const server of servers) await server.close();
    await pool?.end();
    await database?.drop();
  });

  it('pushes an action taken on node A to the allowed clients of node B, and a new case from the bus on both', async () => {
    const nodeB = servers[1] as ApiServer;
    const onB = await listen(nodeB.url, officer);
    const otherOnB = await listen(nodeB.url, otherDistrict);
    const onA = await listen((servers[0] as ApiServer).url, officer);

    // A new violation: stored, then its Alert on the bus, as the camera pipeline does.
    expect(await new ViolationRepository(pool).record({ record, alert, sessionId: 's', frameIndex: 1 })).toBe(true);
    bus.publish({ kind: 'alert', alert });
    await expect.poll(() => [onA.includes(`new:${record.id}`), onB.includes(`new:${record.id}`)], { timeout: 15_000 }).toEqual([true, true]);

    // The officer acts through node A (the session is in the shared database, so either node knows it).
    const response = await officer.fetch(`/api/v1/violations/${record.id}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'confirm', expectedStatus: 'new' }) });
    expect(response.status).toBe(201);
    const expected = `updated:${record.id}:confirmed:${officer.username}`;
    await expect.poll(() => onB.filter((line) => line === expected).length, { timeout: 15_000 }).toBe(1);
    expect(onA.filter((line) => line === expected)).toHaveLength(1);
    // Give a stray delivery time to arrive before saying none came.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(otherOnB).toEqual([]);
    expect(onB.filter((line) => line === expected)).toHaveLength(1);
  });
});
