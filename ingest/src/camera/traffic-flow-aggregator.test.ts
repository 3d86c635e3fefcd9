import { describe, expect, it } from 'vitest';
import { trafficFlowObservedSchema } from '@ioc/schemas';
import { TrafficFlowAggregator } from './traffic-flow-aggregator';

const minute = 60_000;
const t0 = Date.parse('2026-11-24T07:00:00Z');

describe('TrafficFlowAggregator', () => {
  it('closes a minute into rows by line, direction and type, with an anyVehicle total including zeros', () => {
    const aggregator = new TrafficFlowAggregator({ cameraId: 'cam-1', lineIds: ['in'] });
    aggregator.add({ lineId: 'in', trackId: 1, vehicleClass: 'motorcycle', direction: 'forward', timestampMs: 0 }, t0 + 1000);
    aggregator.add({ lineId: 'in', trackId: 2, vehicleClass: 'motorcycle', direction: 'forward', timestampMs: 0 }, t0 + 2000);
    aggregator.add({ lineId: 'in', trackId: 3, vehicleClass: 'car', direction: 'forward', timestampMs: 0 }, t0 + 3000);
    expect(aggregator.takeClosed(t0 + 59_000)).toEqual([]);
    const rows = aggregator.takeClosed(t0 + minute);
    const summary = rows.map((row) => `${row.laneDirection}:${row.vehicleType}=${row.intensity}`).sort();
    expect(summary).toEqual(['backward:anyVehicle=0', 'forward:anyVehicle=3', 'forward:car=1', 'forward:motorcycle=2']);
    for (const row of rows) {
      expect(trafficFlowObservedSchema.safeParse(row).success).toBe(true);
      expect(row).toMatchObject({ refDevice: 'cam-1', laneId: 'in', dateObservedFrom: '2026-11-24T07:00:00.000Z', dateObservedTo: '2026-11-24T07:01:00.000Z' });
    }
    expect(aggregator.takeClosed(t0 + 2 * minute)).toEqual([]);
  });

  it('reports an empty minute as zeros once the camera runs, oldest first', () => {
    const aggregator = new TrafficFlowAggregator({ cameraId: 'cam-2', lineIds: ['a', 'b'] });
    aggregator.start(t0 + 5000);
    aggregator.add({ lineId: 'b', trackId: 1, vehicleClass: 'bus', direction: 'backward', timestampMs: 0 }, t0 + minute + 5000);
    const rows = aggregator.takeClosed(t0 + 2 * minute);
    expect(rows.map((row) => `${row.dateObservedFrom.slice(11, 16)} ${row.laneId}:${row.laneDirection}:${row.vehicleType}=${row.intensity}`)).toEqual([
      '07:00 a:forward:anyVehicle=0',
      '07:00 a:backward:anyVehicle=0',
      '07:00 b:forward:anyVehicle=0',
      '07:00 b:backward:anyVehicle=0',
      '07:01 a:forward:anyVehicle=0',
      '07:01 a:backward:anyVehicle=0',
      '07:01 b:forward:anyVehicle=0',
      '07:01 b:backward:bus=1',
      '07:01 b:backward:anyVehicle=1',
    ]);
  });

  it('closes the open minute on shutdown', () => {
    const aggregator = new TrafficFlowAggregator({ cameraId: 'cam-3', lineIds: ['x'] });
    aggregator.add({ lineId: 'x', trackId: 1, vehicleClass: 'lorry', direction: 'forward', timestampMs: 0 }, t0 + 10_000);
    expect(aggregator.takeClosed(Number.POSITIVE_INFINITY).find((row) => row.vehicleType === 'lorry')?.intensity).toBe(1);
  });
});
