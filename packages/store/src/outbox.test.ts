import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, decodeOutboxBatch, encodeOutboxBatch, orderOutboxEntries, outboxFileName, parseOutboxFileName, type WriteBatch } from './outbox';

const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-outbox-test-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function batch(values: number[], deadLetters = 0): WriteBatch {
  return {
    readings: values.map((value, index) => ({ deviceId: 'hn-aq-1', property: 'pm25', value, observedAtMs: 1_700_000_000_000 + index * 1000, receivedAtMs: 1_700_000_100_000 })),
    deadLetters: Array.from({ length: deadLetters }, (_, index) => ({ receivedAtMs: 1, source: 'mqtt', topic: null, payload: `base64:AAE${index}`, code: 'IOC_ERR_VALIDATION', reason: 'value: expected number' })),
  };
}

describe('outbox file names', () => {
  it('sort as strings in sequence order and carry row counts', () => {
    const names = [9, 10, 100, 2].map((sequence) => outboxFileName({ sequence, readings: sequence * 3, deadLetters: 1 }));
    expect([...names].sort()).toEqual([2, 9, 10, 100].map((sequence) => outboxFileName({ sequence, readings: sequence * 3, deadLetters: 1 })));
    expect(parseOutboxFileName(names[2] as string)).toEqual({ sequence: 100, fileName: names[2], readings: 300, deadLetters: 1 });
  });

  it('orders entries by sequence and ignores temporary and foreign files', () => {
    const entries = orderOutboxEntries(['0000000000000003-5r-0d.batch.json', 'failed', '0000000000000001-5r-0d.batch.json.tmp', 'notes.txt', '0000000000000002-1r-2d.batch.json']);
    expect(entries.map((entry) => entry.sequence)).toEqual([2, 3]);
  });
});

describe('Outbox', () => {
  it('round-trips a batch, counts depth, and keeps numbering across restarts', async () => {
    const directory = freshDirectory();
    const outbox = new Outbox(directory);
    expect(outbox.isEmpty).toBe(true);
    const first = await outbox.append(batch([1, 2, 3]));
    const second = await outbox.append(batch([4], 2));
    expect(outbox.depth()).toEqual({ batches: 2, rows: 6 });
    expect(await outbox.read(first)).toEqual(batch([1, 2, 3]));

    // A crash between write and rename leaves a temporary file: it was never acknowledged, so it goes.
    writeFileSync(path.join(directory, `${outboxFileName({ sequence: 3, readings: 1, deadLetters: 0 })}.tmp`), '{"trunc');
    const reopened = new Outbox(directory);
    expect(reopened.depth()).toEqual({ batches: 2, rows: 6 });
    expect(reopened.oldest()?.fileName).toBe(first.fileName);
    expect(readdirSync(directory).some((name) => name.endsWith('.tmp'))).toBe(false);

    await reopened.remove(first);
    const third = await reopened.append(batch([5]));
    expect(third.sequence).toBeGreaterThan(second.sequence);
    expect(reopened.oldest()?.fileName).toBe(second.fileName);

    const moved = await reopened.moveToFailed(second);
    expect(moved).toBe(path.join(directory, 'failed', second.fileName));
    expect(reopened.depth()).toEqual({ batches: 1, rows: 1 });
    // Numbers stay unique even against what was moved aside.
    expect(new Outbox(directory).oldest()?.sequence).toBe(third.sequence);
  });

  it('keeps values exactly, including awkward ones', () => {
    const awkward: WriteBatch = { readings: [{ deviceId: 'a:b.c_d-1', property: 'waterLevelCm', value: -0.1 + 0.3, observedAtMs: 0, receivedAtMs: 1 }], deadLetters: [{ receivedAtMs: 2, source: 'mqtt', topic: 'ioc/v1/sensors/x', payload: 'tab\tnew\nline "q" \\', code: 'IOC_ERR_MALFORMED_JSON', reason: 'Unexpected token' }] };
    expect(decodeOutboxBatch(encodeOutboxBatch(awkward))).toEqual(awkward);
  });

  it('rejects a file that is not a batch', () => {
    expect(() => decodeOutboxBatch('{"version":2}')).toThrow(/not an outbox batch/);
  });
});
