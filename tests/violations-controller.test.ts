import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cameraConfigSchema } from '@ioc/schemas';
import { HashedFileStore } from '@ioc/store';
import { scriptedFrame, straightPath } from '@ioc/vision';
import { SignalControllerSource, ViolationRecorder, type DeadLetterRow, type Frame, type ViolationSink } from '@ioc/ingest';

/**
 * Red light from a signal controller's MQTT feed on the live path, against Debian's Mosquitto: the controller
 * publishes `{state, changedAt}` on the group's topic, the source hands it to the camera's feed, and the
 * recorder's red-light rule sees it at each frame's arrival. A motorbike goes straight across the stop line
 * (y = 400 of a 1000 × 500 frame, approach from below) on red — flagged once — and again on green — not flagged.
 */
describe('red light from a controller feed', () => {
  const topic = `ioc/test/signals/${randomBytes(4).toString('hex')}/through`;
  const camera = cameraConfigSchema.parse({
    id: 'cam-controller',
    name: 'Nút giao có bộ điều khiển đèn',
    source: { url: 'rtsp://camera.invalid/stream' },
    analysisFps: 10,
    stopLines: [{ id: 'stop-north', points: [[0.1, 0.8], [0.9, 0.8]], approach: 'backward', signalGroup: 'through', confirmDistance: 0.06 }],
    signalGroups: [{ id: 'through', source: 'controller', mqttTopic: topic }],
  });
  const deadLetters: DeadLetterRow[] = [];
  let source: SignalControllerSource;
  let publisher: mqtt.MqttClient;
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-controller-'));

  beforeAll(async () => {
    source = new SignalControllerSource({ brokerUrl: inject('mosquittoUrl'), cameras: [camera], logger: pino({ level: 'silent' }), deadLetters: { writeDeadLetters: async (rows) => void deadLetters.push(...rows) } });
    await source.start();
    publisher = await mqtt.connectAsync(inject('mosquittoUrl'));
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await source?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const publish = (payload: string) => publisher.publishAsync(topic, payload, { qos: 1 });

  /** Drives one motorbike straight across the stop line; returns what the recorder stored. */
  async function crossing(): Promise<Parameters<ViolationSink['record']>[0][]> {
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const recorder = new ViolationRecorder({
      camera,
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files: new HashedFileStore(directory),
      signalFeeds: source,
      settings: { clipSecondsBefore: 0.5, clipSecondsAfter: 0.5, frameOffsetSeconds: 0.2, ringBufferMegabytes: 32, maxPendingViolations: 2 },
    });
    straightPath(400, 440, 0, -10, 12).forEach((step, index) => {
      const frame: Frame = { index, timestampMs: index * 100, widthPixels: 1000, heightPixels: 500, rgb: new Uint8Array(1000 * 500 * 3) };
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame([{ trackId: 1, x: step.x, y: step.y }]));
    });
    await recorder.close();
    return stored;
  }

  it('knows nothing before the controller speaks, and refuses a malformed message as a dead letter', async () => {
    expect(source.topics).toEqual([topic]);
    expect(source.feedFor('cam-controller')?.stateAt('through', Date.now())).toBe('unknown');
    expect(await crossing()).toEqual([]);
    await publish('{"state": "purple"}');
    await expect.poll(() => deadLetters.length, { timeout: 10_000 }).toBe(1);
    expect(deadLetters[0]).toMatchObject({ source: 'mqtt', topic, code: 'IOC_ERR_VALIDATION', reason: expect.stringMatching(/^state/) });
  });

  it('flags the crossing on red once, with the signal group in the alert; not on green', async () => {
    await publish(JSON.stringify({ state: 'red', changedAt: new Date(Date.now() - 1000).toISOString() }));
    await expect.poll(() => source.feedFor('cam-controller')?.stateAt('through', Date.now()), { timeout: 10_000 }).toBe('red');
    const onRed = await crossing();
    expect(onRed).toHaveLength(1);
    expect(onRed[0]?.record).toMatchObject({ rule: 'redLightViolation', ruleId: 'stop-north', trackId: 1, vehicleClass: 'motorcycle' });
    expect(onRed[0]?.alert.description).toMatch(/signal group through red/);
    expect(onRed[0]?.record.evidence.map((file) => file.kind)).toEqual(['frameBefore', 'frameAt', 'frameAfter', 'vehicleCrop', 'clip']);

    await publish(JSON.stringify({ state: 'green', changedAt: new Date().toISOString() }));
    await expect.poll(() => source.feedFor('cam-controller')?.stateAt('through', Date.now() + 1), { timeout: 10_000 }).toBe('green');
    expect(await crossing()).toEqual([]);
  });
});
