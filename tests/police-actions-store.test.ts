import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isIocError, type Alert, type OfficerRef, type ViolationRecord } from '@ioc/schemas';
import { ViolationActionRepository, ViolationRepository, createPool, migrate } from '@ioc/store';
import { createTestDatabase } from './setup/database';

/**
 * ViolationActionRepository on a real PostgreSQL: officers racing on one case (the row lock and the status the
 * client saw let exactly one win), every transition from every status, scope checked on the locked row, and a
 * refused action leaving neither a status change nor a trail row.
 */
const officer = (username: string): OfficerRef => ({ userId: username, username, displayName: username, unit: 'Đội CSGT số 1' });

function violation(id: string, districtCode: string): { record: ViolationRecord; alert: Alert } {
  const at = '2026-11-24T01:00:00.000Z';
  return {
    record: {
      id,
      cameraId: 'cam-1',
      rule: 'redLightViolation',
      ruleId: 'stop-1',
      trackId: Number(id.replace(/\D/g, '')) || 1,
      vehicleClass: 'motorcycle',
      severity: 'medium',
      occurredAt: at,
      decidedAt: at,
      recordedAt: at,
      confidence: 0.8,
      location: { type: 'Point', coordinates: [105.84, 21.02] },
      districtCode,
      box: [1, 2, 3, 4],
      speedKmh: null,
      advisory: null,
      plateText: '30E-558.78',
      plateConfidence: 0.95,
      evidence: [],
      status: 'new',
    },
    alert: { id, type: 'Alert', category: 'traffic', subCategory: 'redLightViolation', severity: 'medium', dateIssued: at, districtCode },
  };
}

describe('violation actions in PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let violations: ViolationRepository;
  let actions: ViolationActionRepository;
  let counter = 0;
  const newCase = async (districtCode = '001') => {
    counter += 1;
    const { record, alert } = violation(`v-${counter}`, districtCode);
    expect(await violations.record({ record, alert, sessionId: 's', frameIndex: counter })).toBe(true);
    return record.id;
  };
  const codeOf = (err: unknown) => (isIocError(err) ? err.code : String(err));

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'police_actions');
    pool = createPool(database.url, { max: 12 });
    await migrate(pool, pino({ level: 'silent' }));
    violations = new ViolationRepository(pool);
    actions = new ViolationActionRepository(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('lets exactly one of ten officers racing on a new case win; the others get a 409 and write nothing', async () => {
    const id = await newCase();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        actions.act({ violationId: id, action: index % 2 === 0 ? 'confirm' : 'reject', reasonCode: index % 2 === 0 ? undefined : 'duplicate', expectedStatus: 'new', officer: officer(`officer-${index}`), clientAddress: '127.0.0.1' }),
      ),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((result) => codeOf(result.reason))).toEqual(Array.from({ length: 9 }, () => 'IOC_ERR_INVALID_TRANSITION'));
    const trail = await actions.trail(id);
    expect(trail).toHaveLength(1);
    expect((await violations.get(id))?.status).toBe(trail[0]?.toStatus);
  });

  it.each([
    ['confirm', 'new', 'confirmed'],
    ['reject', 'new', 'rejected'],
    ['dispatch', 'new', null],
    ['confirm', 'confirmed', null],
    ['reject', 'confirmed', null],
    ['dispatch', 'confirmed', 'dispatched'],
    ['confirm', 'rejected', null],
    ['dispatch', 'rejected', null],
    ['confirm', 'dispatched', null],
    ['reject', 'dispatched', null],
  ] as const)('%s from %s → %s', async (action, from, to) => {
    const id = await newCase();
    // Walk the case to `from` through allowed actions.
    const path = { new: [], confirmed: ['confirm'], rejected: ['reject'], dispatched: ['confirm', 'dispatch'] } as const;
    let status: ViolationRecord['status'] = 'new';
    for (const step of path[from]) {
      const entry = await actions.act({ violationId: id, action: step, reasonCode: step === 'reject' ? 'notAViolation' : undefined, expectedStatus: status, officer: officer('walker'), clientAddress: null });
      status = entry?.toStatus ?? status;
    }
    expect(status).toBe(from);
    const before = (await actions.trail(id)).length;
    const attempt = actions.act({ violationId: id, action, reasonCode: action === 'reject' ? 'other' : undefined, note: 'ghi chú', expectedStatus: from, officer: officer('tester'), clientAddress: null });
    if (to === null) {
      await expect(attempt).rejects.toMatchObject({ code: 'IOC_ERR_INVALID_TRANSITION' });
      expect((await actions.trail(id)).length).toBe(before);
      expect((await violations.get(id))?.status).toBe(from);
    } else {
      expect(await attempt).toMatchObject({ action, fromStatus: from, toStatus: to, officer: { username: 'tester', unit: 'Đội CSGT số 1' } });
      expect((await violations.get(id))?.status).toBe(to);
      const row = await pool.query<{ status_reason: string | null; status_changed_at: Date | null }>('SELECT status_reason, status_changed_at FROM violations WHERE id = $1', [id]);
      expect(row.rows[0]?.status_changed_at).not.toBeNull();
      if (action === 'reject') expect(row.rows[0]?.status_reason).toBe('other: ghi chú');
    }
  });

  it('checks the scope on the locked row: out of scope is "not found" and changes nothing', async () => {
    const id = await newCase('002');
    const seen: Array<{ districtCode: string | null; status: string }> = [];
    const result = await actions.act({ violationId: id, action: 'confirm', expectedStatus: 'new', officer: officer('other-district'), clientAddress: null }, (locked) => {
      seen.push({ districtCode: locked.districtCode, status: locked.status });
      return locked.districtCode === '001';
    });
    expect(result).toBeUndefined();
    expect(seen).toEqual([{ districtCode: '002', status: 'new' }]);
    expect((await violations.get(id))?.status).toBe('new');
    expect(await actions.trail(id)).toEqual([]);
    expect(await actions.act({ violationId: 'no-such-case', action: 'confirm', expectedStatus: 'new', officer: officer('x'), clientAddress: null })).toBeUndefined();
  });

  it('records an export as one row per case under one export id, status unchanged', async () => {
    const first = await newCase();
    const second = await newCase();
    for (const id of [first, second]) await actions.act({ violationId: id, action: 'confirm', expectedStatus: 'new', officer: officer('a'), clientAddress: null });
    const exportId = '6f1c2e0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
    await actions.recordExport(exportId, [{ id: first, status: 'confirmed' }, { id: second, status: 'confirmed' }], officer('exporter'), '10.0.0.7');
    const trails = await actions.trails([first, second]);
    for (const id of [first, second]) {
      expect(trails.get(id)?.map((entry) => [entry.action, entry.fromStatus, entry.toStatus, entry.exportId, entry.officer.username, entry.clientAddress])).toEqual([
        ['confirm', 'new', 'confirmed', null, 'a', null],
        ['export', 'confirmed', 'confirmed', exportId, 'exporter', '10.0.0.7'],
      ]);
    }
    // The table's own checks: an export row needs its export id, a rejection its reason.
    await expect(pool.query("INSERT INTO violation_actions (violation_id, action, from_status, to_status) VALUES ($1, 'export', 'confirmed', 'confirmed')", [first])).rejects.toThrow(/check constraint/);
    await expect(pool.query("INSERT INTO violation_actions (violation_id, action, from_status, to_status) VALUES ($1, 'reject', 'new', 'rejected')", [first])).rejects.toThrow(/check constraint/);
  });
});
