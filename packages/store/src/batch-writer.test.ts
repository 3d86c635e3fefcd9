import { describe, expect, it } from 'vitest';
import { latestColumns, prepareReadings, readingCopyChunks } from './batch-writer';
import type { PendingReading } from './outbox';

function reading(deviceId: string, property: PendingReading['property'], observedAtMs: number, value: number): PendingReading {
  return { deviceId, property, value, observedAtMs, receivedAtMs: 1_700_000_000_000 };
}

describe('batch preparation', () => {
  it('keeps the first of each natural key within a batch', () => {
    const rows = [reading('a', 'pm25', 1000, 1), reading('a', 'pm25', 1000, 2), reading('a', 'pm10', 1000, 3), reading('b', 'pm25', 1000, 4), reading('a', 'pm25', 2000, 5)];
    expect(prepareReadings(rows).unique.map((row) => row.value)).toEqual([1, 3, 4, 5]);
  });

  it('picks the newest reading per device and property for sensor_latest, whatever the order', () => {
    const rows = [reading('a', 'pm25', 3000, 3), reading('a', 'pm25', 1000, 1), reading('b', 'pm25', 500, 9), reading('a', 'pm25', 2000, 2)];
    expect(latestColumns(prepareReadings(rows).newest)).toEqual([['a', 'b'], ['pm25', 'pm25'], [3, 9], [new Date(3000).toISOString(), new Date(500).toISOString()]]);
  });

  it('encodes COPY rows in column order (device, property, observed, value, received)', () => {
    const text = [...readingCopyChunks([reading('hn-aq-1', 'pm25', Date.UTC(2026, 0, 1), 12.5)])].join('');
    expect(text).toBe('hn-aq-1\tpm25\t2026-01-01T00:00:00.000Z\t12.5\t2023-11-14T22:13:20.000Z\n');
  });

  it('splits large batches into chunks without losing rows', () => {
    const rows = Array.from({ length: 4500 }, (_, index) => reading('a', 'pm25', index, index));
    const chunks = [...readingCopyChunks(rows)];
    expect(chunks.length).toBe(3);
    expect(chunks.join('').split('\n').length - 1).toBe(4500);
  });
});
