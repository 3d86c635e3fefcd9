import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, migrate } from '@ioc/store';
import { CameraLeaseRepository } from '@ioc/store/leases';
import { createTestDatabase } from './setup/database';

/**
 * The lease rows against a real PostgreSQL (migration 012): concurrent acquisitions never share a unit, renewals
 * only extend (worker, epoch) pairs still live, expiry is by the database's clock, and a fenced write in flight
 * keeps its unit from being taken over until it commits (the takeover skips the locked row and comes back at its
 * next heartbeat), after which its token is refused.
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
});
