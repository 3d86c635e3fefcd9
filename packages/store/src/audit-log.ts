import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Role } from '@ioc/schemas';

/** What one audited act records. `user` is absent for acts without a signed-in user (a failed sign-in, a CLI run). */
export interface AuditEntry {
  action: string;
  result: string;
  target?: string | null | undefined;
  user?: { id?: string | null | undefined; username: string; role?: Role | string | null | undefined } | null | undefined;
  clientAddress?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface AuditRecord {
  seq: number;
  at: string;
  userId: string | null;
  username: string | null;
  role: string | null;
  action: string;
  target: string | null;
  result: string;
  clientAddress: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  fromMs?: number | undefined;
  toMs?: number | undefined;
  username?: string | undefined;
  action?: string | undefined;
  result?: string | undefined;
  target?: string | undefined;
  limit: number;
  /** Entries with seq below this (paging backwards, newest first). */
  beforeSeq?: number | undefined;
}

export type AuditVerifyResult =
  | { ok: true; entries: number; lastSeq: number; lastHash: string }
  | { ok: false; entries: number; brokenAtSeq: number; reason: string };

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same value always gives the same text, whatever order jsonb returns. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The part of a row the hash covers: every column but the hash itself. */
function hashedContent(record: Omit<AuditRecord, 'hash'>): string {
  return canonicalJson({
    seq: record.seq,
    at: record.at,
    userId: record.userId,
    username: record.username,
    role: record.role,
    action: record.action,
    target: record.target,
    result: record.result,
    clientAddress: record.clientAddress,
    details: record.details,
  });
}

export function auditHash(prevHash: string, record: Omit<AuditRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(hashedContent({ ...record, prevHash }), 'utf8').digest('hex');
}

interface AuditRow {
  seq: string;
  at: Date;
  user_id: string | null;
  username: string | null;
  role: string | null;
  action: string;
  target: string | null;
  result: string;
  client_address: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    userId: row.user_id === null ? null : String(row.user_id),
    username: row.username,
    role: row.role,
    action: row.action,
    target: row.target,
    result: row.result,
    clientAddress: row.client_address,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const VERIFY_PAGE_ROWS = 5000;

/**
 * The append-only audit log (migration 011). Each entry's hash covers the previous entry's hash and the entry's
 * canonical JSON, so editing or deleting any entry breaks every link after it. Appends take the chain head row
 * FOR UPDATE: concurrent appenders (several API nodes) queue and never fork the chain.
 */
export class AuditLog {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const head = (await client.query<{ last_seq: string; last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')).rows[0];
      if (!head) throw new Error('audit_chain_head is missing (migration 011 not applied?)');
      // Millisecond time, so the stored timestamptz gives back exactly the text that was hashed.
      const record: Omit<AuditRecord, 'hash' | 'prevHash'> = {
        seq: Number(head.last_seq) + 1,
        at: new Date().toISOString(),
        userId: entry.user?.id ?? null,
        username: entry.user?.username ?? null,
        role: entry.user?.role ?? null,
        action: entry.action,
        target: entry.target ?? null,
        result: entry.result,
        clientAddress: entry.clientAddress ?? null,
        // Through JSON once: what jsonb gives back (no undefined, no functions) is what gets hashed.
        details: JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>,
      };
      const hash = auditHash(head.last_hash, record);
      await client.query(
        `INSERT INTO audit_log (seq, at, user_id, username, role, action, target, result, client_address, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [record.seq, record.at, record.userId, record.username, record.role, record.action, record.target, record.result, record.clientAddress, JSON.stringify(record.details), head.last_hash, hash],
      );
      await client.query('UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1', [record.seq, hash]);
      await client.query('COMMIT');
      return { ...record, prevHash: head.last_hash, hash };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Newest first, filtered; page backwards with `beforeSeq` (the smallest seq of the previous page). */
  async list(query: AuditQuery): Promise<{ entries: AuditRecord[]; total: number }> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (query.fromMs !== undefined) add((p) => `at >= ${p}`, new Date(query.fromMs));
    if (query.toMs !== undefined) add((p) => `at < ${p}`, new Date(query.toMs));
    if (query.username) add((p) => `username = ${p}`, query.username);
    if (query.action) add((p) => `action = ${p}`, query.action);
    if (query.result) add((p) => `result = ${p}`, query.result);
    if (query.target) add((p) => `target = ${p}`, query.target);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const total = Number((await this.#pool.query<{ count: string }>(`SELECT count(*) FROM audit_log ${where}`, values)).rows[0]?.count ?? 0);
    const pageConditions = [...conditions];
    const pageValues = [...values];
    if (query.beforeSeq !== undefined) {
      pageValues.push(query.beforeSeq);
      pageConditions.push(`seq < $${pageValues.length}`);
    }
    pageValues.push(query.limit);
    const rows = await this.#pool.query<AuditRow>(
      `SELECT * FROM audit_log ${pageConditions.length > 0 ? `WHERE ${pageConditions.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${pageValues.length}`,
      pageValues,
    );
    return { entries: rows.rows.map(toRecord), total };
  }

  /**
   * Walks the chain from the genesis hash: every seq in order without a gap, every prev_hash equal to the previous
   * hash, every hash recomputed from the row, and the head row equal to the last entry. The first broken link is
   * reported with its seq.
   */
  async verify(): Promise<AuditVerifyResult> {
    let previousHash = GENESIS_HASH;
    let expectedSeq = 1;
    let entries = 0;
    for (;;) {
      const rows = (await this.#pool.query<AuditRow>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, VERIFY_PAGE_ROWS])).rows;
      for (const row of rows) {
        const record = toRecord(row);
        if (record.seq !== expectedSeq) return { ok: false, entries, brokenAtSeq: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${record.seq})` };
        if (record.prevHash !== previousHash) return { ok: false, entries, brokenAtSeq: record.seq, reason: `entry ${record.seq} does not link to the entry before it` };
        const { hash, prevHash, ...content } = record;
        if (auditHash(prevHash, content) !== hash) return { ok: false, entries, brokenAtSeq: record.seq, reason: `entry ${record.seq} was altered: its content no longer matches its hash` };
        previousHash = hash;
        expectedSeq += 1;
        entries += 1;
      }
      if (rows.length < VERIFY_PAGE_ROWS) break;
    }
    const head = (await this.#pool.query<{ last_seq: string; last_hash: string }>('SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1')).rows[0];
    if (!head || Number(head.last_seq) !== expectedSeq - 1 || head.last_hash !== previousHash) {
      return { ok: false, entries, brokenAtSeq: expectedSeq, reason: `the chain ends at entry ${expectedSeq - 1} but its head says ${head?.last_seq ?? 'nothing'}: entries at the end were removed` };
    }
    return { ok: true, entries, lastSeq: expectedSeq - 1, lastHash: previousHash };
  }
}
