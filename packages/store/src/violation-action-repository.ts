import type pg from 'pg';
import { iocError, transitionOf, type OfficerRef, type PoliceAction, type RejectReason, type ViolationActionEntry, type ViolationActionKind, type ViolationStatus } from '@ioc/schemas';

interface ActionRow {
  id: string;
  at: Date;
  violation_id: string;
  action: ViolationActionKind;
  reason_code: RejectReason | null;
  note: string | null;
  officer_id: string | null;
  officer_username: string | null;
  officer_name: string | null;
  officer_unit: string | null;
  client_address: string | null;
  from_status: ViolationStatus;
  to_status: ViolationStatus;
  export_id: string | null;
}

const ACTION_COLUMNS = 'id, at, violation_id, action, reason_code, note, officer_id, officer_username, officer_name, officer_unit, client_address, from_status, to_status, export_id';

function entryFromRow(row: ActionRow): ViolationActionEntry {
  return {
    id: Number(row.id),
    at: row.at.toISOString(),
    violationId: row.violation_id,
    action: row.action,
    reasonCode: row.reason_code,
    note: row.note,
    officer: { userId: row.officer_id, username: row.officer_username, displayName: row.officer_name, unit: row.officer_unit },
    clientAddress: row.client_address,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    exportId: row.export_id,
  };
}

export interface ViolationActionInput {
  violationId: string;
  action: PoliceAction;
  /** The status the officer saw when acting. */
  expectedStatus: ViolationStatus;
  reasonCode?: RejectReason | undefined;
  note?: string | undefined;
  officer: OfficerRef;
  clientAddress: string | null;
}

/** Where a case lies, read under the row lock: the scope check happens on these before anything changes. */
export interface LockedCase {
  status: ViolationStatus;
  districtCode: string | null;
  cameraId: string;
}

const NO_OFFICER: OfficerRef = { userId: null, username: null, displayName: null, unit: null };

/**
 * The police's actions on violations: each changes the case's status and appends its row to the append-only
 * `violation_actions` trail in one transaction (both or neither). The violation row is locked while the
 * transition is checked, so two officers acting at once cannot both move it: the second sees the new status
 * and gets a 409 (optimistic concurrency on the status the client saw).
 */
export class ViolationActionRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Applies one action. `mayAct` sees the locked case first (the viewer's scope): false → undefined, answered
   * as not found by the caller. A stale `expectedStatus` or a refused transition throws IOC_ERR_INVALID_TRANSITION.
   */
  async act(input: ViolationActionInput, mayAct: (locked: LockedCase) => boolean = () => true): Promise<ViolationActionEntry | undefined> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ status: ViolationStatus; district_code: string | null; camera_id: string }>('SELECT status, district_code, camera_id FROM violations WHERE id = $1 FOR UPDATE', [input.violationId]);
      const row = locked.rows[0];
      if (!row || !mayAct({ status: row.status, districtCode: row.district_code, cameraId: row.camera_id })) {
        await client.query('ROLLBACK');
        return undefined;
      }
      if (row.status !== input.expectedStatus) {
        await client.query('ROLLBACK');
        throw iocError('IOC_ERR_INVALID_TRANSITION', `Stale: the case is ${row.status} now, not ${input.expectedStatus} as seen; reload it and act again.`, {
          issues: [{ path: 'expectedStatus', reason: `stale: current status is ${row.status}` }],
        });
      }
      const to = transitionOf(input.action, row.status);
      if (!to) {
        await client.query('ROLLBACK');
        throw iocError('IOC_ERR_INVALID_TRANSITION', `A ${row.status} case cannot be ${input.action}ed.`, { issues: [{ path: 'action', reason: `not allowed from ${row.status}` }] });
      }
      const statusReason = input.action === 'reject' ? [input.reasonCode, input.note].filter(Boolean).join(': ') : (input.note ?? null);
      await client.query('UPDATE violations SET status = $2, status_changed_at = now(), status_reason = $3 WHERE id = $1', [input.violationId, to, statusReason || null]);
      const inserted = await client.query<ActionRow>(
        `INSERT INTO violation_actions (violation_id, action, reason_code, note, officer_id, officer_username, officer_name, officer_unit, client_address, from_status, to_status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${ACTION_COLUMNS}`,
        [input.violationId, input.action, input.reasonCode ?? null, input.note || null, input.officer.userId, input.officer.username, input.officer.displayName, input.officer.unit, input.clientAddress, row.status, to],
      );
      await client.query('COMMIT');
      return entryFromRow(inserted.rows[0] as ActionRow);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** The trail of one case, oldest first. */
  async trail(violationId: string): Promise<ViolationActionEntry[]> {
    const result = await this.#pool.query<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM violation_actions WHERE violation_id = $1 ORDER BY id`, [violationId]);
    return result.rows.map(entryFromRow);
  }

  /** Trails of many cases at once (the export), oldest first per case. */
  async trails(violationIds: readonly string[]): Promise<Map<string, ViolationActionEntry[]>> {
    const trails = new Map<string, ViolationActionEntry[]>(violationIds.map((id) => [id, []]));
    if (violationIds.length === 0) return trails;
    const result = await this.#pool.query<ActionRow>(`SELECT ${ACTION_COLUMNS} FROM violation_actions WHERE violation_id = ANY ($1) ORDER BY id`, [violationIds]);
    for (const row of result.rows) trails.get(row.violation_id)?.push(entryFromRow(row));
    return trails;
  }

  /**
   * One `export` row per exported case, all under one export id, in one transaction. Per case rather than a
   * separate export log: the case's own trail then says who handed its evidence to the fining process and when,
   * which is what an appeal asks; the export id still groups the cases of one ZIP.
   */
  async recordExport(exportId: string, cases: ReadonlyArray<{ id: string; status: ViolationStatus }>, officer: OfficerRef | undefined, clientAddress: string | null): Promise<void> {
    if (cases.length === 0) return;
    const who = officer ?? NO_OFFICER;
    await this.#pool.query(
      `INSERT INTO violation_actions (violation_id, action, officer_id, officer_username, officer_name, officer_unit, client_address, from_status, to_status, export_id)
       SELECT c.id, 'export', $2, $3, $4, $5, $6, c.status, c.status, $1 FROM unnest($7::text[], $8::text[]) AS c (id, status)`,
      [exportId, who.userId, who.username, who.displayName, who.unit, clientAddress, cases.map((item) => item.id), cases.map((item) => item.status)],
    );
  }
}
