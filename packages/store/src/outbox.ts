import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { SensorProperty } from '@ioc/schemas';

/** A reading as the writer holds it: the stored reading plus when the IOC accepted it. */
export interface PendingReading {
  deviceId: string;
  property: SensorProperty;
  value: number;
  observedAtMs: number;
  receivedAtMs: number;
}

/** A message that could not be accepted, kept with its reason (the `dead_letters` table). */
export interface DeadLetterInput {
  receivedAtMs: number;
  /** `mqtt` or `http`. */
  source: string;
  topic: string | null;
  /** UTF-8 text, or `base64:` followed by the bytes when the payload is not text. */
  payload: string;
  code: string;
  reason: string;
}

export interface WriteBatch {
  readings: PendingReading[];
  deadLetters: DeadLetterInput[];
}

export interface OutboxEntry {
  sequence: number;
  fileName: string;
  readings: number;
  deadLetters: number;
}

/**
 * File names sort in sequence order as plain strings (16 zero-padded digits), and carry their row counts so
 * that the depth is known at start-up without reading every file.
 */
const FILE_NAME = /^(\d{16})-(\d+)r-(\d+)d\.batch\.json$/;
const SEQUENCE_DIGITS = 16;

export function outboxFileName(entry: Omit<OutboxEntry, 'fileName'>): string {
  return `${String(entry.sequence).padStart(SEQUENCE_DIGITS, '0')}-${entry.readings}r-${entry.deadLetters}d.batch.json`;
}

export function parseOutboxFileName(fileName: string): OutboxEntry | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) return undefined;
  return { sequence: Number(match[1]), fileName, readings: Number(match[2]), deadLetters: Number(match[3]) };
}

/** The outbox files among a directory's names, oldest first. Temporary and foreign files are left out. */
export function orderOutboxEntries(fileNames: readonly string[]): OutboxEntry[] {
  return fileNames
    .map((fileName) => parseOutboxFileName(fileName))
    .filter((entry): entry is OutboxEntry => entry !== undefined)
    .sort((left, right) => left.sequence - right.sequence);
}

/** Readings as arrays, not objects: a quarter of the size on disk and faster to parse back. */
type ReadingTuple = [deviceId: string, property: SensorProperty, value: number, observedAtMs: number, receivedAtMs: number];

interface OutboxFileV1 {
  version: 1;
  readings: ReadingTuple[];
  deadLetters: DeadLetterInput[];
}

export function encodeOutboxBatch(batch: WriteBatch): string {
  const file: OutboxFileV1 = {
    version: 1,
    readings: batch.readings.map((reading) => [reading.deviceId, reading.property, reading.value, reading.observedAtMs, reading.receivedAtMs]),
    deadLetters: batch.deadLetters,
  };
  return JSON.stringify(file);
}

export function decodeOutboxBatch(text: string): WriteBatch {
  const file = JSON.parse(text) as Partial<OutboxFileV1>;
  if (file.version !== 1 || !Array.isArray(file.readings) || !Array.isArray(file.deadLetters)) {
    throw new Error(`not an outbox batch (version ${String(file.version)})`);
  }
  return {
    readings: file.readings.map(([deviceId, property, value, observedAtMs, receivedAtMs]) => ({ deviceId, property, value, observedAtMs, receivedAtMs })),
    deadLetters: file.deadLetters,
  };
}

/**
 * Batches that could not reach the database, one file each, made durable before the caller is told "accepted":
 * written to a temporary name, fsynced, renamed, and the directory fsynced so the rename itself survives a
 * power cut. Files that could never be stored (the database refused their rows) go to `failed/`.
 */
export class Outbox {
  readonly directory: string;
  readonly failedDirectory: string;
  readonly #entries: OutboxEntry[];
  #nextSequence: number;

  constructor(directory: string) {
    this.directory = directory;
    this.failedDirectory = path.join(directory, 'failed');
    mkdirSync(this.failedDirectory, { recursive: true });
    const names = readdirSync(directory);
    // A temporary file is a write that never reached its rename: its caller was never told "accepted".
    for (const name of names) if (name.endsWith('.tmp')) rmSync(path.join(directory, name), { force: true });
    this.#entries = orderOutboxEntries(names);
    const failed = orderOutboxEntries(readdirSync(this.failedDirectory));
    const highest = Math.max(0, ...this.#entries.map((entry) => entry.sequence), ...failed.map((entry) => entry.sequence));
    this.#nextSequence = highest + 1;
  }

  get isEmpty(): boolean {
    return this.#entries.length === 0;
  }

  depth(): { batches: number; rows: number } {
    let rows = 0;
    for (const entry of this.#entries) rows += entry.readings + entry.deadLetters;
    return { batches: this.#entries.length, rows };
  }

  oldest(): OutboxEntry | undefined {
    return this.#entries[0];
  }

  async append(batch: WriteBatch): Promise<OutboxEntry> {
    const entry = await this.#writeDurably(this.directory, batch);
    this.#entries.push(entry);
    return entry;
  }

  /** Keeps a batch the database refused, for an operator to look at; never replayed automatically. */
  async appendFailed(batch: WriteBatch): Promise<OutboxEntry> {
    return await this.#writeDurably(this.failedDirectory, batch);
  }

  async read(entry: OutboxEntry): Promise<WriteBatch> {
    return decodeOutboxBatch(await readFile(path.join(this.directory, entry.fileName), 'utf8'));
  }

  /** After the batch is committed in the database. */
  async remove(entry: OutboxEntry): Promise<void> {
    await unlink(path.join(this.directory, entry.fileName)).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
    });
    this.#forget(entry);
  }

  async moveToFailed(entry: OutboxEntry): Promise<string> {
    const target = path.join(this.failedDirectory, entry.fileName);
    await rename(path.join(this.directory, entry.fileName), target);
    await fsyncDirectory(this.failedDirectory);
    this.#forget(entry);
    return target;
  }

  #forget(entry: OutboxEntry): void {
    const index = this.#entries.findIndex((candidate) => candidate.sequence === entry.sequence);
    if (index >= 0) this.#entries.splice(index, 1);
  }

  async #writeDurably(directory: string, batch: WriteBatch): Promise<OutboxEntry> {
    const sequence = this.#nextSequence;
    this.#nextSequence += 1;
    const fileName = outboxFileName({ sequence, readings: batch.readings.length, deadLetters: batch.deadLetters.length });
    const finalPath = path.join(directory, fileName);
    const temporaryPath = `${finalPath}.tmp`;
    const handle = await open(temporaryPath, 'w', 0o600);
    try {
      await handle.writeFile(encodeOutboxBatch(batch), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, finalPath);
    await fsyncDirectory(directory);
    return { sequence, fileName, readings: batch.readings.length, deadLetters: batch.deadLetters.length };
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
