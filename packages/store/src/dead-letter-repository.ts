import type pg from 'pg';
import type { DeadLetterInput } from './outbox';

export interface StoredDeadLetter extends DeadLetterInput {
  id: number;
}

/**
 * Messages that could not be accepted. Ingest writes them through the BatchWriter (durable even while the
 * database is down); `insert` is for callers that write directly.
 */
export class DeadLetterRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async insert(rows: readonly DeadLetterInput[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#pool.query(
      `INSERT INTO dead_letters (received_at, source, topic, payload, code, reason)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        rows.map((row) => new Date(row.receivedAtMs).toISOString()),
        rows.map((row) => row.source),
        rows.map((row) => row.topic),
        rows.map((row) => row.payload.replaceAll('\0', '\uFFFD')),
        rows.map((row) => row.code),
        rows.map((row) => row.reason.replaceAll('\0', '\uFFFD')),
      ],
    );
  }

  /** Newest first. */
  async list(options: { limit: number }): Promise<StoredDeadLetter[]> {
    const limit = Math.max(1, Math.min(10_000, Math.trunc(options.limit)));
    const result = await this.#pool.query<{ id: string; received_at: Date; source: string; topic: string | null; payload: string; code: string; reason: string }>(
      'SELECT id, received_at, source, topic, payload, code, reason FROM dead_letters ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return result.rows.map((row) => ({
      id: Number(row.id),
      receivedAtMs: row.received_at.getTime(),
      source: row.source,
      topic: row.topic,
      payload: row.payload,
      code: row.code,
      reason: row.reason,
    }));
  }

  async count(): Promise<number> {
    const result = await this.#pool.query<{ count: string }>('SELECT count(*) AS count FROM dead_letters');
    return Number(result.rows[0]?.count ?? 0);
  }
}
