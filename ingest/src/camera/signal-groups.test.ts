import { describe, expect, it } from 'vitest';
import { signalGroupSchema } from '@ioc/schemas';
import { ImageSignalReader, SignalControllerFeed, lampRectanglePixels } from './signal-groups';

describe('SignalControllerFeed', () => {
  const groups = [
    signalGroupSchema.parse({ id: 'through', source: 'controller', mqttTopic: 'ioc/v1/signals/hn-001/through' }),
    signalGroupSchema.parse({ id: 'arrow', lamps: { green: [0.9, 0.2, 0.95, 0.25] } }),
  ];

  it('subscribes to the topics of controller groups only', () => {
    expect(new SignalControllerFeed(groups).topics).toEqual(['ioc/v1/signals/hn-001/through']);
  });

  it.each([
    { name: 'an unknown topic', topic: 'ioc/v1/signals/hn-001/left', payload: '{"state":"red","changedAt":"2025-03-01T08:00:00+07:00"}', reason: /not the mqttTopic/ },
    { name: 'a payload that is not JSON', topic: 'ioc/v1/signals/hn-001/through', payload: 'RED', reason: /not JSON/ },
    { name: 'an unknown state', topic: 'ioc/v1/signals/hn-001/through', payload: '{"state":"flashing","changedAt":"2025-03-01T08:00:00+07:00"}', reason: /^state:/ },
    { name: 'a time without offset', topic: 'ioc/v1/signals/hn-001/through', payload: '{"state":"red","changedAt":"2025-03-01T08:00:00"}', reason: /^changedAt:/ },
  ])('refuses $name with a reason for the dead-letter row', ({ topic, payload, reason }) => {
    const result = new SignalControllerFeed(groups).handleMessage(topic, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('holds the newest state and answers by time; a late older message does not undo it', () => {
    const feed = new SignalControllerFeed(groups);
    const topic = 'ioc/v1/signals/hn-001/through';
    expect(feed.stateAt('through', Date.parse('2025-03-01T01:00:00Z'))).toBe('unknown');
    expect(feed.handleMessage(topic, new TextEncoder().encode('{"state":"red","changedAt":"2025-03-01T08:00:00+07:00","phase":3}'))).toMatchObject({ ok: true, groupId: 'through', state: 'red' });
    feed.handleMessage(topic, '{"state":"green","changedAt":"2025-03-01T08:01:00+07:00"}');
    feed.handleMessage(topic, '{"state":"amber","changedAt":"2025-03-01T07:59:00+07:00"}');
    expect(feed.stateAt('through', Date.parse('2025-03-01T01:01:30Z'))).toBe('green');
    expect(feed.stateAt('through', Date.parse('2025-03-01T01:00:30Z'))).toBe('unknown');
  });
});

describe('ImageSignalReader', () => {
  it('maps normalised lamp rectangles to pixels', () => {
    expect(lampRectanglePixels([0.5, 0.25, 0.75, 0.5], 640, 480)).toEqual({ x1: 320, y1: 120, x2: 480, y2: 240 });
  });

  it('reads a group frame by frame into a timeline in decode order', () => {
    const width = 40;
    const height = 40;
    // One red lamp at the top-left quarter, one green lamp at the bottom-left quarter.
    const group = signalGroupSchema.parse({ id: 'through', lamps: { red: [0, 0, 0.5, 0.5], green: [0, 0.5, 0.5, 1] } });
    const reader = new ImageSignalReader([group], { widthPixels: width, heightPixels: height });
    const frame = (lit: 'red' | 'green' | 'dark'): { rgb: Uint8Array; widthPixels: number; heightPixels: number } => {
      const rgb = new Uint8Array(width * height * 3).fill(20);
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width / 2; x += 1) {
          if (lit === 'red' && y < height / 2) rgb.set([230, 20, 30], (y * width + x) * 3);
          if (lit === 'green' && y >= height / 2) rgb.set([20, 220, 180], (y * width + x) * 3);
        }
      }
      return { rgb, widthPixels: width, heightPixels: height };
    };
    const sequence = ['red', 'red', 'dark', 'red', 'red', 'green', 'green', 'dark', 'green', 'green'] as const;
    const states = sequence.map((lit, index) => reader.update(frame(lit), index, index * 100).through);
    expect(states).toEqual(['unknown', 'unknown', 'unknown', 'red', 'red', 'red', 'red', 'red', 'green', 'green']);
    expect(reader.timelines()).toEqual([
      { group: 'through', fromFrame: 0, state: 'red' },
      { group: 'through', fromFrame: 5, state: 'green' },
    ]);
  });
});
