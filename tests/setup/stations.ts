import type { Device } from '@ioc/schemas';

/** A sensor station for the fault tests: registered before the system starts, so its readings are accepted. */
export function testStation(id: string, name: string, property: Device['controlledProperty'][number], coordinates: [number, number]): Device {
  return { id, type: 'Device', name, category: 'sensor', controlledProperty: [property], location: { type: 'Point', coordinates }, deviceState: 'ok', reportIntervalSeconds: 60 };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every fault test's `ioc start` shares: its own data directory, a free port on loopback, no demo feeds or
 * report poller (only the traffic the test makes), info logs (the test reads them). Spread it, then add the rest.
 */
export function faultTestSystemConfig(dataDir: string) {
  return { dataDir, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, reports: { enabled: false }, log: { level: 'info' } };
}
