import { describe, expect, it } from 'vitest';
import { cameraIdOfSnapshotTopic, decodeSnapshot, encodeSnapshot, snapshotTopic } from './snapshot-relay';

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

describe('snapshot relay payloads', () => {
  it('round-trips the time and the JPEG bytes', () => {
    const decoded = decodeSnapshot(encodeSnapshot({ jpeg, takenAtMs: 1_764_000_000_123 }));
    expect(decoded?.takenAtMs).toBe(1_764_000_000_123);
    expect(decoded?.jpeg.equals(jpeg)).toBe(true);
  });

  it.each([
    ['empty (a cleared retained message)', Buffer.alloc(0)],
    ['a header and no picture', Buffer.alloc(8)],
    ['a PNG after the header', Buffer.concat([Buffer.alloc(8), Buffer.from([0x89, 0x50, 0x4e, 0x47])])],
    ['a time that is not a number', Buffer.concat([Buffer.from([0x7f, 0xf8, 0, 0, 0, 0, 0, 0]), jpeg])],
  ])('refuses %s', (_label, payload) => {
    expect(decodeSnapshot(payload)).toBeUndefined();
  });
});

describe('snapshot topics', () => {
  it.each([
    ['cam-1', 'ioc/v1/cameras/cam-1/snapshot'],
    ['db:nga-tu.01', 'ioc/v1/cameras/db:nga-tu.01/snapshot'],
  ])('camera %s ↔ %s', (cameraId, topic) => {
    expect(snapshotTopic(cameraId)).toBe(topic);
    expect(cameraIdOfSnapshotTopic(topic)).toBe(cameraId);
  });

  it.each(['ioc/v1/cameras/a/b/snapshot', 'ioc/v1/cameras//snapshot', 'ioc/v1/bus/events', 'ioc/v1/cameras/cam-1/snapshot/x'])('ignores %s', (topic) => {
    expect(cameraIdOfSnapshotTopic(topic)).toBeUndefined();
  });
});
