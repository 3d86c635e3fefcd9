import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { iocError, type StoredReading } from '@ioc/schemas';
import { isConnectionError, sqlState } from './connection-errors';
import { copyField, copyTextRow, copyTimestamp, escapeCopyText } from './copy-text';
import { Outbox, type DeadLetterInput, type PendingReading, type WriteBatch } from './outbox';

export interface BatchWriterOptions {
  pool: pg.Pool;
  /** Where batches wait, durable, while the database is unreachable. Created if missing. */
  outboxDir: string;
  /** A flush starts as soon as this many rows are buffered; no batch is larger. */
  maxBatchRows: number;
  /** Buffered rows are flushed at the latest this long after the first of them arrived. */
  flushIntervalMs: number;
  /** How often the outbox is replayed while it is not empty. */
  retryIntervalMs: number;
  logger: Logger;
  /** After a batch hit duplicates, how long later batches go straight to the staging path. Default 60 s. */
  stagingAfterConflictMs?: number;
}

interface Ticket {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Part of one caller's rows; a caller with more than `maxBatchRows` rows is split into several pieces. */
interface Piece extends WriteBatch {
  ticket: Ticket;
}

const READING_COLUMNS = '(device_id, property, observed_at, value, received_at)';
const DIRECT_COPY = `COPY sensor_readings ${READING_COLUMNS} FROM STDIN`;
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS sensor_readings_staging (
  device_id text NOT NULL, property text NOT NULL, observed_at timestamptz NOT NULL, value double precision NOT NULL, received_at timestamptz NOT NULL
) ON COMMIT DELETE ROWS`;
const STAGING_COPY = `COPY sensor_readings_staging ${READING_COLUMNS} FROM STDIN`;
const INSERT_FROM_STAGING = `INSERT INTO sensor_readings ${READING_COLUMNS}
  SELECT device_id, property, observed_at, value, received_at FROM sensor_readings_staging
  ON CONFLICT (device_id, property, observed_at) DO NOTHING`;
const UPSERT_LATEST = `INSERT INTO sensor_latest (device_id, property, value, observed_at, updated_at)
  SELECT device_id, property, value, observed_at, now()
  FROM unnest($1::text[], $2::text[], $3::double precision[], $4::timestamptz[]) AS input(device_id, property, value, observed_at)
  ON CONFLICT (device_id, property) DO UPDATE SET value = excluded.value, observed_at = excluded.observed_at, updated_at = excluded.updated_at
  WHERE excluded.observed_at > sensor_latest.observed_at`;
const DEAD_LETTER_COPY = 'COPY dead_letters (received_at, source, topic, payload, code, reason) FROM STDIN';

/** Rows per string handed to the COPY stream: big enough to keep the socket busy, small enough to stream. */
const ROWS_PER_CHUNK = 2000;

/**
 * The one way rows reach the time-series tables. Callers are told "accepted" only once their rows are
 * durable: committed in PostgreSQL, or fsynced to the on-disk outbox while the database is unreachable.
 *
 * - Rows are buffered and written in batches with COPY, one transaction per batch, which also moves
 *   `sensor_latest` forward.
 * - Stored once: the natural key (device, property, observed time) decides. The fast path COPYs straight into
 *   the table; a duplicate there aborts the COPY, and the batch is redone through a staging table with
 *   `ON CONFLICT DO NOTHING`. Duplicates come in bursts (a sensor resending its buffer, an MQTT redelivery
 *   after a reconnect, an outbox replay of a batch whose commit was in doubt), so after one conflict the
 *   next batches use staging directly for a while instead of paying for a failed COPY each time; when the
 *   burst has passed, the cheaper direct path comes back.
 * - Everything runs on one serial chain (flushes and outbox replays alike), so the order of acceptance is the
 *   order of writing: while the outbox holds anything, new batches queue behind it in the outbox.
 */
export class BatchWriter {
  readonly #pool: pg.Pool;
  readonly #options: Required<BatchWriterOptions>;
  readonly #logger: Logger;
  readonly #outbox: Outbox;
  readonly #buffer: Piece[] = [];
  #bufferedRows = 0;
  #chain: Promise<void> = Promise.resolve();
  #drainQueued = false;
  #replayQueued = false;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #retryTimer: NodeJS.Timeout;
  #stagingUntilMs = 0;
  #closing: Promise<void> | undefined;
  // Totals for /metrics: rows committed (a replayed batch counts when it commits, once), dead letters accepted.
  readonly #rowsWritten = { readings: 0, dead_letters: 0 };
  readonly #deadLettersByReason = new Map<string, { source: string; code: string; count: number }>();

  constructor(options: BatchWriterOptions) {
    if (!(options.maxBatchRows >= 1)) throw new RangeError(`maxBatchRows must be at least 1, got ${options.maxBatchRows}`);
    this.#options = { stagingAfterConflictMs: 60_000, ...options };
    this.#pool = options.pool;
    this.#logger = options.logger.child({ module: 'store', part: 'batch-writer' });
    this.#outbox = new Outbox(options.outboxDir);
    if (!this.#outbox.isEmpty) {
      this.#logger.info({ outbox: options.outboxDir, ...this.#outbox.depth() }, 'replaying the outbox left by a previous run');
      this.#scheduleReplay();
    }
    this.#retryTimer = setInterval(() => this.#scheduleReplay(), options.retryIntervalMs);
    this.#retryTimer.unref();
  }

  /** Resolves once the rows are durable (database or outbox); rejects only if they could not be made so. */
  writeReadings(rows: readonly StoredReading[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const receivedAtMs = Date.now();
    const readings: PendingReading[] = rows.map((row) => ({ deviceId: row.deviceId, property: row.property, value: row.value, observedAtMs: row.observedAtMs, receivedAtMs }));
    return this.#accept(readings, []);
  }

  /** Dead letters travel the same durable path as readings, so none is lost while the database is down. */
  writeDeadLetters(rows: readonly DeadLetterInput[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const row of rows) {
      const key = `${row.source}\u0000${row.code}`;
      const entry = this.#deadLettersByReason.get(key) ?? { source: row.source, code: row.code, count: 0 };
      entry.count += 1;
      this.#deadLettersByReason.set(key, entry);
    }
    return this.#accept([], rows.map((row) => ({ ...row })));
  }

  /** Rows committed since start by table, and dead letters accepted by source and code (for /metrics). */
  stats(): { rowsWrittenByTable: Readonly<Record<string, number>>; deadLettersByReason: ReadonlyArray<{ source: string; code: string; count: number }> } {
    return { rowsWrittenByTable: { ...this.#rowsWritten }, deadLettersByReason: [...this.#deadLettersByReason.values()].map((entry) => ({ ...entry })) };
  }

  /** Batches and rows waiting in the outbox. */
  depth(): { batches: number; rows: number } {
    return this.#outbox.depth();
  }

  mode(): 'direct' | 'outbox' {
    return this.#outbox.isEmpty ? 'direct' : 'outbox';
  }

  /** Makes everything buffered so far durable. */
  async flush(): Promise<void> {
    await this.#scheduleDrain(true);
  }

  /** Flushes what is buffered (to the database or the outbox) and stops; the outbox is replayed on the next start. */
  async close(): Promise<void> {
    if (!this.#closing) {
      clearInterval(this.#retryTimer);
      if (this.#flushTimer) clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
      this.#closing = this.#scheduleDrain(true);
    }
    await this.#closing;
  }

  #accept(readings: PendingReading[], deadLetters: DeadLetterInput[]): Promise<void> {
    if (this.#closing) return Promise.reject(iocError('IOC_ERR_SHUTTING_DOWN', 'The writer is closing; rows were not accepted'));
    return new Promise<void>((resolve, reject) => {
      const maxRows = this.#options.maxBatchRows;
      const ticket: Ticket = { remaining: 0, settled: false, resolve, reject };
      const pieces: Piece[] = [];
      for (let start = 0; start < readings.length; start += maxRows) pieces.push({ readings: readings.slice(start, start + maxRows), deadLetters: [], ticket });
      for (let start = 0; start < deadLetters.length; start += maxRows) pieces.push({ readings: [], deadLetters: deadLetters.slice(start, start + maxRows), ticket });
      ticket.remaining = pieces.length;
      for (const piece of pieces) {
        this.#buffer.push(piece);
        this.#bufferedRows += rowCount(piece);
      }
      if (this.#bufferedRows >= maxRows) void this.#scheduleDrain(false);
      else this.#armFlushTimer();
    });
  }

  #armFlushTimer(): void {
    if (this.#flushTimer || this.#closing || this.#buffer.length === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#scheduleDrain(true);
    }, this.#options.flushIntervalMs);
  }

  /** Queues a drain on the serial chain; the returned promise settles when it has run (it never rejects). */
  #scheduleDrain(force: boolean): Promise<void> {
    if (!force && this.#drainQueued) return this.#chain;
    if (!force) this.#drainQueued = true;
    this.#chain = this.#chain
      .then(async () => {
        if (!force) this.#drainQueued = false;
        await this.#drain(force);
      })
      .catch((err: unknown) => this.#logger.error({ err }, 'unexpected error in the batch writer'));
    return this.#chain;
  }

  async #drain(force: boolean): Promise<void> {
    while (this.#buffer.length > 0 && (force || this.#bufferedRows >= this.#options.maxBatchRows)) {
      await this.#persist(this.#takeBatch());
    }
    this.#armFlushTimer();
  }

  #takeBatch(): Piece[] {
    const pieces: Piece[] = [];
    let rows = 0;
    while (this.#buffer.length > 0) {
      const next = this.#buffer[0] as Piece;
      if (pieces.length > 0 && rows + rowCount(next) > this.#options.maxBatchRows) break;
      this.#buffer.shift();
      rows += rowCount(next);
      pieces.push(next);
    }
    this.#bufferedRows -= rows;
    return pieces;
  }

  async #persist(pieces: Piece[]): Promise<void> {
    const batch: WriteBatch = { readings: pieces.flatMap((piece) => piece.readings), deadLetters: pieces.flatMap((piece) => piece.deadLetters) };
    if (this.#outbox.isEmpty) {
      try {
        await this.#store(batch);
        settle(pieces);
        return;
      } catch (err) {
        if (!isConnectionError(err)) {
          await this.#isolateRefused(pieces, err);
          return;
        }
        this.#logger.warn({ err, rows: rowCount(batch) }, 'database unreachable: accepted rows go to the outbox until it is back');
      }
    }
    try {
      await this.#outbox.append(batch);
      settle(pieces);
    } catch (err) {
      this.#logger.error({ err, outbox: this.#outbox.directory }, 'cannot write to the outbox: rows are not accepted');
      settle(pieces, iocError('IOC_ERR_OUTBOX', `Accepted rows could not be written to the outbox ${this.#outbox.directory}: ${(err as Error).message}`, { cause: err }));
    }
  }

  /**
   * The database refused a batch (a bad row, not an outage). Each caller's rows are retried alone so one
   * caller's bad row does not fail its neighbours; what is still refused is kept in `failed/` and its caller
   * gets the error.
   */
  async #isolateRefused(pieces: Piece[], error: unknown): Promise<void> {
    if (pieces.length > 1) {
      for (const piece of pieces) await this.#persist([piece]);
      return;
    }
    const piece = pieces[0] as Piece;
    let keptIn = 'nowhere (the failed/ folder could not be written)';
    try {
      const entry = await this.#outbox.appendFailed(piece);
      keptIn = `${this.#outbox.failedDirectory}/${entry.fileName}`;
    } catch (err) {
      this.#logger.error({ err }, 'cannot keep a refused batch in the failed folder');
    }
    this.#logger.error({ err: error, rows: rowCount(piece), keptIn }, 'the database refused a batch');
    settle([piece], iocError('IOC_ERR_INTERNAL', `The database refused ${rowCount(piece)} rows: ${(error as Error).message}; they are kept in ${keptIn}`, { cause: error }));
  }

  #scheduleReplay(): void {
    if (this.#replayQueued || this.#outbox.isEmpty || this.#closing) return;
    this.#replayQueued = true;
    this.#chain = this.#chain
      .then(async () => {
        this.#replayQueued = false;
        const more = await this.#replayOldest();
        // One file per step, so flushes interleave with a long replay instead of waiting for all of it.
        if (more) this.#scheduleReplay();
      })
      .catch((err: unknown) => this.#logger.error({ err }, 'unexpected error while replaying the outbox'));
  }

  /** Replays the oldest outbox file; true when the next one should follow at once. */
  async #replayOldest(): Promise<boolean> {
    const entry = this.#outbox.oldest();
    if (!entry) return false;
    let batch: WriteBatch;
    try {
      batch = await this.#outbox.read(entry);
    } catch (err) {
      const target = await this.#outbox.moveToFailed(entry);
      this.#logger.error({ err, file: target }, 'unreadable outbox file moved aside');
      return !this.#outbox.isEmpty;
    }
    try {
      await this.#store(batch);
    } catch (err) {
      if (isConnectionError(err)) {
        this.#logger.debug({ err, ...this.#outbox.depth() }, 'database still unreachable; the outbox waits');
        return false;
      }
      const target = await this.#outbox.moveToFailed(entry);
      this.#logger.error({ err, file: target, rows: entry.readings + entry.deadLetters }, 'the database refused an outbox batch; moved aside, replay goes on');
      return !this.#outbox.isEmpty;
    }
    await this.#outbox.remove(entry);
    if (this.#outbox.isEmpty) this.#logger.info('outbox replayed: writing to the database directly again');
    return !this.#outbox.isEmpty;
  }

  /** One batch, one transaction. */
  async #store(batch: WriteBatch): Promise<void> {
    const { unique: readings, newest } = prepareReadings(batch.readings);
    const client = await this.#pool.connect();
    let failure: unknown;
    // A checked-out client has no 'error' listener of the pool's: a socket reset between two queries would
    // otherwise be an uncaught exception. The query in progress (or the next one) fails with it anyway.
    const onClientError = (err: Error) => {
      failure ??= err;
    };
    client.on('error', onClientError);
    try {
      await client.query('BEGIN');
      if (readings.length > 0) {
        let staged = Date.now() < this.#stagingUntilMs;
        if (!staged) {
          try {
            await copyInto(client, DIRECT_COPY, readingCopyChunks(readings));
          } catch (err) {
            if (sqlState(err) !== '23505') throw err;
            // The COPY is the transaction's first statement, so starting over costs what a savepoint would,
            // without a savepoint's two round trips on every batch that has no duplicate.
            await client.query('ROLLBACK');
            await client.query('BEGIN');
            this.#stagingUntilMs = Date.now() + this.#options.stagingAfterConflictMs;
            this.#logger.debug({ rows: readings.length }, 'batch repeats stored readings: using the staging path for a while');
            staged = true;
          }
        }
        if (staged) {
          await client.query(CREATE_STAGING);
          await copyInto(client, STAGING_COPY, readingCopyChunks(readings));
          await client.query(INSERT_FROM_STAGING);
        }
        await client.query(UPSERT_LATEST, latestColumns(newest));
      }
      if (batch.deadLetters.length > 0) await copyInto(client, DEAD_LETTER_COPY, deadLetterCopyChunks(batch.deadLetters));
      await client.query('COMMIT');
      this.#rowsWritten.readings += readings.length;
      this.#rowsWritten.dead_letters += batch.deadLetters.length;
    } catch (err) {
      failure = err;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onClientError);
      // A connection that failed is discarded rather than handed to the next caller.
      client.release(failure !== undefined && isConnectionError(failure) ? (failure as Error) : undefined);
    }
  }
}

function rowCount(batch: WriteBatch): number {
  return batch.readings.length + batch.deadLetters.length;
}

function settle(pieces: Piece[], error?: Error): void {
  for (const { ticket } of pieces) {
    if (ticket.settled) continue;
    if (error) {
      ticket.settled = true;
      ticket.reject(error);
      continue;
    }
    ticket.remaining -= 1;
    if (ticket.remaining === 0) {
      ticket.settled = true;
      ticket.resolve();
    }
  }
}

/** What one batch writes: its readings without repeated keys, and the newest reading per device and property. */
export interface PreparedReadings {
  unique: PendingReading[];
  newest: PendingReading[];
}

/**
 * One pass over a batch: keeps the first of each natural key (a second copy in one batch would abort the COPY
 * or the upsert) and finds the newest per device and property for sensor_latest. Nested maps rather than
 * string keys: no string is built per row, which matters at a few hundred thousand rows a second.
 */
export function prepareReadings(readings: readonly PendingReading[]): PreparedReadings {
  const byDevice = new Map<string, Map<string, { times: Set<number>; newest: PendingReading }>>();
  const unique: PendingReading[] = [];
  const newest: PendingReading[] = [];
  for (const reading of readings) {
    let byProperty = byDevice.get(reading.deviceId);
    if (!byProperty) {
      byProperty = new Map();
      byDevice.set(reading.deviceId, byProperty);
    }
    const entry = byProperty.get(reading.property);
    if (!entry) {
      byProperty.set(reading.property, { times: new Set([reading.observedAtMs]), newest: reading });
      unique.push(reading);
      continue;
    }
    if (entry.times.has(reading.observedAtMs)) continue;
    entry.times.add(reading.observedAtMs);
    unique.push(reading);
    if (reading.observedAtMs > entry.newest.observedAtMs) entry.newest = reading;
  }
  for (const byProperty of byDevice.values()) for (const entry of byProperty.values()) newest.push(entry.newest);
  return { unique, newest };
}

/** The four arrays the sensor_latest upsert unnests. */
export function latestColumns(newest: readonly PendingReading[]): [string[], string[], number[], string[]] {
  return [newest.map((row) => row.deviceId), newest.map((row) => row.property), newest.map((row) => row.value), newest.map((row) => copyTimestamp(row.observedAtMs))];
}

/** COPY text for readings, in chunks of rows. */
export function* readingCopyChunks(readings: readonly PendingReading[]): Generator<string> {
  let chunk = '';
  let rowsInChunk = 0;
  let receivedMs = Number.NaN;
  let receivedText = '';
  for (const reading of readings) {
    // Rows of one call share their accepted time: format it once.
    if (reading.receivedAtMs !== receivedMs) {
      receivedMs = reading.receivedAtMs;
      receivedText = copyTimestamp(receivedMs);
    }
    chunk += `${escapeCopyText(reading.deviceId)}\t${escapeCopyText(reading.property)}\t${copyTimestamp(reading.observedAtMs)}\t${copyField(reading.value)}\t${receivedText}\n`;
    rowsInChunk += 1;
    if (rowsInChunk === ROWS_PER_CHUNK) {
      yield chunk;
      chunk = '';
      rowsInChunk = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

export function* deadLetterCopyChunks(rows: readonly DeadLetterInput[]): Generator<string> {
  for (const row of rows) yield copyTextRow([copyTimestamp(row.receivedAtMs), row.source, row.topic, row.payload, row.code, row.reason]);
}

async function copyInto(client: pg.PoolClient, sql: string, chunks: Iterable<string>): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks), stream);
}
