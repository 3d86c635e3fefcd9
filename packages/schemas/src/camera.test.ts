import { describe, expect, it } from 'vitest';
import { cameraConfigSchema } from './camera';
import { parseWith } from './validation';

const minimal = { id: 'cam-1', name: 'Ngã tư Mường Thanh', source: { url: 'rtsp://cam/1' } };

describe('cameraConfigSchema', () => {
  it('fills defaults', () => {
    const camera = cameraConfigSchema.parse(minimal);
    expect(camera).toMatchObject({ analysisFps: 5, model: 'nanodet-416', anchor: 'bottomCenter', lines: [], zones: [], enabled: true, source: { loop: false, realtime: true } });
  });

  it.each([
    { name: 'an unknown key', input: { ...minimal, fps: 5 }, path: '(root)' },
    { name: 'a point outside the frame', input: { ...minimal, lines: [{ id: 'l', points: [[0, 0.5], [1.2, 0.5]] }] }, path: 'lines.0.points.1.0' },
    { name: 'a line of one point twice', input: { ...minimal, lines: [{ id: 'l', points: [[0.5, 0.5], [0.5, 0.5]] }] }, path: 'lines.0.points' },
    { name: 'a zone of two points', input: { ...minimal, zones: [{ id: 'z', kind: 'queue', polygon: [[0, 0], [1, 1]] }] }, path: 'zones.0.polygon' },
    { name: 'an analysis rate of 60 fps', input: { ...minimal, analysisFps: 60 }, path: 'analysisFps' },
    { name: 'a duplicate line id', input: { ...minimal, lines: [{ id: 'a', points: [[0, 0], [1, 1]] }, { id: 'a', points: [[0, 1], [1, 0]] }] }, path: 'lines' },
  ])('rejects $name, naming the path', ({ input, path }) => {
    const result = parseWith(cameraConfigSchema, input, 'camera');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues.map((issue) => issue.path)).toContain(path);
  });
});
