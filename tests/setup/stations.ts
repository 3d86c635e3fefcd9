import type { Device } from '@ioc/schemas';

/** A sensor station for the fault tests: registered before the system starts, so its readings are accepted. */
export function testStation(id: string, name: string, property: Device['controlledProperty'][number], coordinates: [number, number]): Device {
  return { id, type: 'Device', name, category: 'sensor', controlledProperty: [property], location: { type: 'Point', coordinates }, deviceState: 'ok', reportIntervalSeconds: 60 };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
