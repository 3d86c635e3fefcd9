import { describe, expect, it } from 'vitest';
import type { CameraHealth, LiveEvent, WallDeltaBatch } from '@ioc/schemas';
import { cameraCountLabel, cameraVehicleTotal, totalsByVehicleType, withLiveCameraData } from './camera-live';
import type { CameraInfo } from './traffic';
import { applyDeltaBatch, applySnapshot, initialWallState, type CameraLive, type WallState } from './wall-state';

const T0 = 1_764_000_000_000;
const camera = (id: string, totals: Record<string, number>, state: CameraInfo['state'] = 'online'): CameraInfo => ({ id, name: id, state, position: [105.85, 21.03], districtCode: undefined, lastFrameAtMs: T0, totals });
const health = (cameraId: string, state: CameraHealth['state'], reportedAtMs: number): CameraHealth => ({
  cameraId,
  state,
  deviceState: state === 'online' ? 'ok' : state === 'offline' ? 'offline' : 'unknown',
  analysisFps: 5,
  analysedFps: state === 'online' ? 5 : 0,
  inferenceMs: 30,
  framesAnalysed: 10,
  framesSkipped: 0,
  reconnects: 0,
  lastFrameAtMs: reportedAtMs - 100,
  reportedAtMs,
});

describe('camera counts pushed to the wall', () => {
  it('sums lines and directions per vehicle type', () => {
    expect(totalsByVehicleType({ a: { motorcycle: { forward: 2, backward: 3 }, car: { forward: 1, backward: 0 } }, b: { motorcycle: { forward: 0, backward: 4 } } })).toEqual({ motorcycle: 9, car: 1 });
    expect(cameraVehicleTotal(camera('c', { motorcycle: 9, car: 1 }))).toBe(10);
    expect(cameraCountLabel(12_345)).toBe('12.345');
  });

  it.each<[string, CameraInfo[], Record<string, CameraLive>, number | undefined, Array<Pick<CameraInfo, 'id' | 'state' | 'totals'>>]>([
    ['nothing pushed: the poll as it is', [camera('a', { car: 2 })], {}, T0, [{ id: 'a', state: 'online', totals: { car: 2 } }]],
    ['pushed totals newer than the poll', [camera('a', { car: 2 })], { a: { totals: { l: { car: { forward: 3, backward: 1 }, motorcycle: { forward: 0, backward: 5 } } }, countsAtMs: T0 + 500 } }, T0, [{ id: 'a', state: 'online', totals: { car: 4, motorcycle: 5 } }]],
    ['a poll that already has more keeps its figure', [camera('a', { car: 7 })], { a: { totals: { l: { car: { forward: 3, backward: 1 } } } } }, T0, [{ id: 'a', state: 'online', totals: { car: 7 } }]],
    ['health newer than the poll changes the state', [camera('a', {})], { a: { health: health('a', 'offline', T0 + 10) } }, T0, [{ id: 'a', state: 'offline', totals: {} }]],
    ['health older than the poll does not', [camera('a', {})], { a: { health: health('a', 'offline', T0 - 10) } }, T0, [{ id: 'a', state: 'online', totals: {} }]],
    ['pushed data of a camera the poll does not list is ignored', [camera('a', { car: 1 })], { z: { totals: { l: { car: { forward: 9, backward: 0 } } } } }, T0, [{ id: 'a', state: 'online', totals: { car: 1 } }]],
  ])('%s', (_name, cameras, live, polledAtMs, expected) => {
    expect(withLiveCameraData(cameras, live, polledAtMs).map(({ id, state, totals }) => ({ id, state, totals }))).toEqual(expected);
  });

  it('returns the same list when nothing changed (memoisation downstream)', () => {
    const cameras = [camera('a', { car: 2 })];
    expect(withLiveCameraData(cameras, { a: { totals: { l: { car: { forward: 1, backward: 0 } } } } }, T0)).toBe(cameras);
  });

  function stateAt(epoch: string, sequence: number): WallState {
    return applySnapshot(initialWallState(T0), { id: `${epoch}:${sequence}`, type: 'wall.snapshot', time: '', schemaVersion: 1, lastEventId: `${epoch}:${sequence}`, site: { name: 's', center: [105.85, 21.03], zoom: 12, districts: [] }, devices: [], history: {}, historyMinutes: 60 }, T0);
  }
  const batch = (after: string, events: LiveEvent[]): WallDeltaBatch => ({ id: events[events.length - 1]?.id ?? after, type: 'wall.deltas', time: '', schemaVersion: 1, afterEventId: after, events });
  const countsEvent = (id: string, toMs: number, backward: number): LiveEvent => ({ id, time: '', schemaVersion: 1, type: 'camera.counts', counts: { cameraId: 'a', fromMs: toMs - 1000, toMs, delta: { l: { motorcycle: { forward: 0, backward: 1 } } }, totals: { l: { motorcycle: { forward: 0, backward } } } } });

  it('applies camera.counts and camera.health from delta batches, keeps the newest, and forgets them with a new server epoch', () => {
    let state = stateAt('ep1', 3);
    state = applyDeltaBatch(state, batch('ep1:3', [countsEvent('ep1:4', T0 + 2000, 2), countsEvent('ep1:5', T0 + 1000, 1), { id: 'ep1:6', time: '', schemaVersion: 1, type: 'camera.health', health: health('a', 'online', T0 + 2000) }]), T0 + 2100);
    expect(state.cameraLive.a?.totals).toEqual({ l: { motorcycle: { forward: 0, backward: 2 } } });
    expect(state.cameraLive.a?.health?.state).toBe('online');
    expect(stateAt('ep1', 6).cameraLive).toEqual({});
    const sameEpoch = applySnapshot(state, { id: 'ep1:9', type: 'wall.snapshot', time: '', schemaVersion: 1, lastEventId: 'ep1:9', site: state.site as never, devices: [], history: {}, historyMinutes: 60 }, T0 + 3000);
    expect(sameEpoch.cameraLive.a?.totals).toBeDefined();
    const otherEpoch = applySnapshot(state, { id: 'ep2:1', type: 'wall.snapshot', time: '', schemaVersion: 1, lastEventId: 'ep2:1', site: state.site as never, devices: [], history: {}, historyMinutes: 60 }, T0 + 3000);
    expect(otherEpoch.cameraLive).toEqual({});
  });
});
