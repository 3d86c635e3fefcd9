import { describe, expect, it } from 'vitest';
import { cameraConfigSchema } from '@ioc/schemas';
import { scriptedFrame, straightPath } from '@ioc/vision';
import { CameraViolationRules } from './violations-analyzer';

/** A 1000×500 frame: normalised y 0.8 = 400 px. */
const size = { widthPixels: 1000, heightPixels: 500 };
const camera = cameraConfigSchema.parse({
  id: 'cam-1',
  name: 'test junction',
  source: { url: 'file.mp4' },
  stopLines: [{ id: 'stop', points: [[0.1, 0.8], [0.9, 0.8]], approach: 'backward', signalGroup: 'through', confirmDistance: 0.04, allowedExits: [{ polygon: [[0.7, 0.79], [1, 0.79], [1, 0.4], [0.76, 0.4]] }] }],
  signalGroups: [{ id: 'through', lamps: { red: [0.9, 0.1, 0.92, 0.14] } }],
  zones: [{ id: 'no-stop', kind: 'noStopping', polygon: [[0, 0], [0.2, 0], [0.2, 0.3], [0, 0.3]], maxDwellSeconds: 2 }],
  calibration: { imagePoints: [[0, 0], [1, 0], [1, 1], [0, 1]], groundPointsMeters: [[0, 0], [100, 0], [100, 50], [0, 50]], certified: false },
  speeding: { speedLimitKmh: 50, minimumFrames: 2 },
  lanes: [{ id: 'moto', polygon: [[0.3, 0], [0.5, 0], [0.5, 0.3], [0.3, 0.3]], allowedVehicleTypes: ['motorcycle', 'bicycle'], minimumFrames: 3 }],
  wrongWayZones: [{ id: 'one-way', polygon: [[0.6, 0], [0.9, 0], [0.9, 0.3], [0.6, 0.3]], allowedDirection: [0, -1], minimumFrames: 3, headingWindowFrames: 2 }],
});

describe('CameraViolationRules', () => {
  it('builds one rule per configured stop line, zone, lane and the speeding rule', () => {
    expect(new CameraViolationRules(camera, size).ruleCount).toBe(5);
  });

  it('scales normalised geometry to the frame and reports each rule once per track', () => {
    const rules = new CameraViolationRules(camera, size);
    // Track 1 runs the red light at x 400; 2 parks in the no-stopping zone; 3 is a car in the motorbike lane;
    // 4 drives down the one-way zone; 5 speeds (10 px = 1 m: 20 px per frame at 10 fps = 20 m/s = 72 km/h).
    const paths = {
      1: straightPath(400, 440, 0, -10, 30),
      2: straightPath(100, 100, 0, 0, 30),
      3: straightPath(400, 100, 0, 0, 30),
      4: straightPath(700, 20, 0, 5, 30),
      5: straightPath(50, 490, 20, 0, 30),
    };
    const classes: Record<number, number> = { 1: 3, 2: 2, 3: 2, 4: 3, 5: 2 };
    const found: Array<[string, number]> = [];
    for (let frame = 0; frame < 30; frame += 1) {
      const detections = scriptedFrame(Object.entries(paths).map(([trackId, path]) => ({ trackId: Number(trackId), ...(path[frame] as { x: number; y: number }), classId: classes[Number(trackId)] as number, heightPixels: 40 })));
      for (const violation of rules.update(detections, { frameIndex: frame, timestampMs: frame * 100, signalStates: { through: 'red' } })) found.push([violation.rule, violation.trackId]);
    }
    expect(found.sort()).toEqual([
      ['carStopped', 2],
      ['carWrongDirection', 4],
      ['laneViolation', 3],
      ['redLightViolation', 1],
      ['speeding', 5],
    ]);
  });
});
