import { describe, expect, it } from 'vitest';
import { cameraConfigSchema } from './camera';
import { parseWith } from './validation';

const minimal = { id: 'cam-1', name: 'Ngã tư Mường Thanh', source: { url: 'rtsp://cam/1' } };
const square = [[0, 0.6], [0.3, 0.6], [0.3, 1], [0, 1]];
const withRules = {
  ...minimal,
  stopLines: [{ id: 'stop', points: [[0.2, 0.54], [0.9, 0.53]], approach: 'backward', signalGroup: 'through', allowedExits: [{ polygon: [[0.8, 0.5], [1, 0.5], [1, 0.3]] }], confirmDistance: 0.02 }],
  signalGroups: [{ id: 'through', lamps: { red: [0.97, 0.18, 0.99, 0.21] } }],
  calibration: { imagePoints: [[0.1, 0.9], [0.9, 0.9], [0.7, 0.5], [0.3, 0.5]], groundPointsMeters: [[0, 0], [7, 0], [7, 20], [0, 20]] },
  speeding: { speedLimitKmh: 50 },
  lanes: [{ id: 'moto', polygon: square, allowedVehicleTypes: ['motorcycle', 'bicycle'] }],
  wrongWayZones: [{ id: 'oneway', polygon: square, allowedDirection: [0, -1] }],
};

describe('cameraConfigSchema', () => {
  it('fills defaults', () => {
    const camera = cameraConfigSchema.parse(minimal);
    expect(camera).toMatchObject({ analysisFps: 5, model: 'nanodet-480-vn', anchor: 'bottomCenter', lines: [], zones: [], enabled: true, source: { loop: false, realtime: true } });
    expect(camera).toMatchObject({ stopLines: [], signalGroups: [], lanes: [], wrongWayZones: [] });
    expect(camera.calibration).toBeUndefined();
  });

  it('accepts violation rules and fills their defaults', () => {
    const camera = cameraConfigSchema.parse(withRules);
    expect(camera.stopLines[0]).toMatchObject({ frontOffsetBoxFraction: 0, allowedExits: [{ polygon: [[0.8, 0.5], [1, 0.5], [1, 0.3]] }], straightExits: [] });
    expect(camera.signalGroups[0]).toMatchObject({ source: 'image', confirmFrames: 3, holdDarkSeconds: 3 });
    expect(camera.calibration?.certified).toBe(false);
    expect(camera.speeding).toMatchObject({ id: 'speed', windowSeconds: 1, minimumFrames: 3 });
    expect(camera.lanes[0]?.minimumFrames).toBe(10);
    expect(camera.wrongWayZones[0]?.headingWindowFrames).toBe(5);
  });

  it.each([
    { name: 'an unknown key', input: { ...minimal, fps: 5 }, path: '(root)' },
    { name: 'a point outside the frame', input: { ...minimal, lines: [{ id: 'l', points: [[0, 0.5], [1.2, 0.5]] }] }, path: 'lines.0.points.1.0' },
    { name: 'a line of one point twice', input: { ...minimal, lines: [{ id: 'l', points: [[0.5, 0.5], [0.5, 0.5]] }] }, path: 'lines.0.points' },
    { name: 'a zone of two points', input: { ...minimal, zones: [{ id: 'z', kind: 'queue', polygon: [[0, 0], [1, 1]] }] }, path: 'zones.0.polygon' },
    { name: 'an analysis rate of 60 fps', input: { ...minimal, analysisFps: 60 }, path: 'analysisFps' },
    { name: 'a duplicate line id', input: { ...minimal, lines: [{ id: 'a', points: [[0, 0], [1, 1]] }, { id: 'a', points: [[0, 1], [1, 0]] }] }, path: 'lines' },
    { name: 'a stop line with an unknown signal group', input: { ...withRules, signalGroups: [{ id: 'left', lamps: { red: [0, 0, 0.1, 0.1] } }] }, path: 'stopLines.0.signalGroup' },
    { name: 'a stop line with no way to confirm', input: { ...withRules, stopLines: [{ ...withRules.stopLines[0], confirmDistance: undefined }] }, path: 'stopLines.0.confirmDistance' },
    { name: 'an image signal group without lamps', input: { ...withRules, signalGroups: [{ id: 'through' }] }, path: 'signalGroups.0.lamps' },
    { name: 'a controller signal group without a topic', input: { ...withRules, signalGroups: [{ id: 'through', source: 'controller' }] }, path: 'signalGroups.0.mqttTopic' },
    { name: 'a lamp rectangle upside down', input: { ...withRules, signalGroups: [{ id: 'through', lamps: { red: [0.5, 0.5, 0.4, 0.6] } }] }, path: 'signalGroups.0.lamps.red' },
    { name: 'speeding without a calibration', input: { ...withRules, calibration: undefined }, path: 'calibration' },
    { name: 'a lane allowing anyVehicle', input: { ...withRules, lanes: [{ id: 'l', polygon: square, allowedVehicleTypes: ['anyVehicle'] }] }, path: 'lanes.0.allowedVehicleTypes.0' },
    { name: 'a wrong-way zone without a direction', input: { ...withRules, wrongWayZones: [{ id: 'w', polygon: square, allowedDirection: [0, 0] }] }, path: 'wrongWayZones.0.allowedDirection' },
    { name: 'a lane id equal to a stop line id', input: { ...withRules, lanes: [{ id: 'stop', polygon: square, allowedVehicleTypes: ['car'] }] }, path: 'lanes' },
    { name: 'an unknown key in a stop line', input: { ...withRules, stopLines: [{ ...withRules.stopLines[0], colour: 'red' }] }, path: 'stopLines.0' },
  ])('rejects $name, naming the path', ({ input, path }) => {
    const result = parseWith(cameraConfigSchema, input, 'camera');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues.map((issue) => issue.path)).toContain(path);
  });
});
