import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alert, ViolationRecord } from '@ioc/schemas';
import { ViolationRepository, createPool, migrate } from '@ioc/store';
import { CameraLeaseRepository, type HeldLease } from '@ioc/store/leases';
import { createTestDatabase } from './setup/database';

/**
 * The lease rows against a real PostgreSQL (migration 012): concurrent acquisitions never share a unit, renewals
 * only extend (worker, epoch) pairs still live, expiry is by the database's clock, and a fenced write in flight
 * keeps its unit from being taken over until it commits (the takeover skips the locked row and comes back at its
 * next heartbeat), after which its token is refused; violations written under a fence likewise.
 */
describe('camera leases in PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'camera_leases');
    pool = createPool(database.url, { max: 8 });
    await migrate(pool, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('gives concurrent acquisitions disjoint units, each with a new epoch', async () => {
    const leases = new CameraLeaseRepository(pool, { ttlMs: 10_000 });
    const units = ['cam-a', 'cam-b', 'cam-c'];
    await leases.ensureUnits(units);
    await leases.ensureUnits(units);
    const [first, second] = await Promise.all([leases.acquire('w1', units, 2), leases.acquire('w2', units, 2)]);
    const taken = [...(first ?? []), ...(second ?? [])].map((lease) => lease.unitId).sort();
    expect(taken).toEqual(units);
    expect([...(first ?? []), ...(second ?? [])].every((lease) => lease.epoch === 1)).toBe(true);
    expect(await leases.availableCount(units)).toBe(0);
    expect(await leases.acquire('w3', units, 3)).toEqual([]);
  });

  it('renews only the pairs still held, and counts live workers', async () => {
    const leases = new CameraLeaseRepository(pool, { ttlMs: 10_000 });
    const rows = (await pool.query<{ camera_id: string; worker_id: string; epoch: string }>("SELECT camera_id, worker_id, epoch FROM camera_leases WHERE camera_id LIKE 'cam-%' ORDER BY camera_id")).rows;
    const mine = rows.filter((row) => row.worker_id === 'w1').map((row) => ({ unitId: row.camera_id, epoch: Number(row.epoch) }));
    const renewed = await leases.renew('w1', [...mine, { unitId: 'cam-a', epoch: 99 }, { unitId: rows.find((row) => row.worker_id === 'w2')?.camera_id as string, epoch: 1 }]);
    expect(renewed.sort((a, b) => a.unitId.localeCompare(b.unitId))).toEqual(mine);
    expect(await leases.heartbeatWorker('w1')).toBe(1);
    expect(await leases.heartbeatWorker('w2')).toBe(2);
    await leases.removeWorker('w2');
    expect(await leases.heartbeatWorker('w1')).toBe(1);
  });

  it('lets another worker take a unit only after its expiry by the database clock, recorded in the history', async () => {
    const shortLeases = new CameraLeaseRepository(pool, { ttlMs: 3000 });
    await shortLeases.ensureUnits(['cam-expiring']);
    const [held] = await shortLeases.acquire('w1', ['cam-expiring'], 1);
    expect(await shortLeases.acquire('w2', ['cam-expiring'], 1)).toEqual([]);
    // TTLs of seconds, not milliseconds: a loaded machine must not expire the lease between two statements.
    await new Promise((resolve) => setTimeout(resolve, 3300));
    expect(await shortLeases.renew('w1', [held as { unitId: string; epoch: number }])).toEqual([]);
    const [taken] = await shortLeases.acquire('w2', ['cam-expiring'], 1);
    expect(taken).toEqual({ unitId: 'cam-expiring', epoch: (held?.epoch as number) + 1 });
    const history = await shortLeases.history('cam-expiring');
    expect(history.map((row) => [row.workerId, row.event, row.epoch])).toEqual([['w1', 'acquired', 1], ['w2', 'acquired', 2]]);
    expect(history[1]?.previousWorkerId).toBe('w1');
    expect(history[1]?.previousExpiresAtMs as number).toBeLessThanOrEqual(history[1]?.atMs as number);
    // A release of a lease no longer held changes nothing and records no release.
    await shortLeases.release('w1', held as { unitId: string; epoch: number });
    expect((await shortLeases.history('cam-expiring')).length).toBe(2);
    await shortLeases.release('w2', taken as { unitId: string; epoch: number });
    expect((await shortLeases.history('cam-expiring')).at(-1)).toMatchObject({ workerId: 'w2', event: 'released', epoch: 2 });
  });

  it('keeps a unit with a fenced write in flight from being taken over, then refuses the stale token', async () => {
    const leases = new CameraLeaseRepository(pool, { ttlMs: 2000 });
    await leases.ensureUnits(['cam-fenced']);
    const [held] = await leases.acquire('w1', ['cam-fenced'], 1);
    const fence = { unitId: 'cam-fenced', workerId: 'w1', epoch: held?.epoch as number };
    let releaseWrite: () => void = () => undefined;
    const writeMayFinish = new Promise<void>((resolve) => {
      releaseWrite = resolve;
    });
    let inWrite: () => void = () => undefined;
    const writeStarted = new Promise<void>((resolve) => {
      inWrite = resolve;
    });
    const write = leases.withFence(fence, async (client) => {
      inWrite();
      await writeMayFinish;
      await client.query('SELECT 1');
      return 'written';
    });
    await writeStarted;
    await new Promise((resolve) => setTimeout(resolve, 2300));
    // Expired by the clock, but the row is locked by the write: skipped, not taken.
    expect(await leases.acquire('w2', ['cam-fenced'], 1)).toEqual([]);
    releaseWrite();
    await expect(write).resolves.toBe('written');
    const [taken] = await leases.acquire('w2', ['cam-fenced'], 1);
    expect(taken?.epoch).toBe(fence.epoch + 1);
    let wrote = false;
    await expect(leases.withFence(fence, async () => { wrote = true; })).rejects.toMatchObject({ code: 'IOC_ERR_INVALID_TRANSITION' });
    expect(wrote).toBe(false);
  });
  it('stores violations under the camera\'s lease: once under the live fence, a duplicate leaves the transaction usable, none under a stale one', async () => {
    const leases = new CameraLeaseRepository(pool, { ttlMs: 10_000 });
    const violations = new ViolationRepository(pool);
    await leases.ensureUnits(['cam-evidence']);
    const [held] = await leases.acquire('w1', ['cam-evidence'], 1);
    const fence = { unitId: 'cam-evidence', workerId: 'w1', epoch: held?.epoch as number };
    const first = violationFor('v-fenced-1', 1);
    expect(await leases.withFence(fence, (client) => violations.record(first, client))).toBe(true);
    // The same case again, then a new one, in one fenced transaction: the duplicate is refused, the new one kept.
    const both = await leases.withFence(fence, async (client) => [await violations.record(first, client), await violations.record(violationFor('v-fenced-2', 2), client)]);
    expect(both).toEqual([false, true]);
    await leases.release('w1', held as HeldLease);
    const [taken] = await leases.acquire('w2', ['cam-evidence'], 1);
    expect(taken?.epoch).toBe(fence.epoch + 1);
    await expect(leases.withFence(fence, (client) => violations.record(violationFor('v-fenced-3', 3), client))).rejects.toMatchObject({ code: 'IOC_ERR_INVALID_TRANSITION' });
    const stored = await pool.query("SELECT id FROM violations WHERE camera_id = 'cam-evidence' ORDER BY id");
    expect(stored.rows.map((row: { id: string }) => row.id)).toEqual(['v-fenced-1', 'v-fenced-2']);
    const alerts = await pool.query("SELECT id FROM alerts WHERE device_id = 'cam-evidence' ORDER BY id");
    expect(alerts.rows.map((row: { id: string }) => row.id)).toEqual(['v-fenced-1', 'v-fenced-2']);
  });
});

function violationFor(id: string, trackId: number): { record: ViolationRecord; alert: Alert; sessionId: string; frameIndex: number } {
  const at = '2026-11-25T01:00:00.000Z';
  return {
    record: {
      id,
      cameraId: 'cam-evidence',
      rule: 'redLightViolation',
      ruleId: 'stop-1',
      trackId,
      vehicleClass: 'motorcycle',
      severity: 'medium',
      occurredAt: at,
      decidedAt: at,
      recordedAt: at,
      confidence: 0.8,
      location: null,
      districtCode: null,
      box: [1, 2, 3, 4],
      speedKmh: null,
      advisory: null,
      plateText: null,
      plateConfidence: null,
      evidence: [],
      status: 'new',
    },
    alert: { id, type: 'Alert', category: 'traffic', subCategory: 'redLightViolation', severity: 'medium', dateIssued: at },
    sessionId: 'session-1',
    frameIndex: trackId * 10,
  };
}
