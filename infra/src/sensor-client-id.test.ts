import { describe, expect, it } from 'vitest';
import { sensorClientIdOf } from './system';

describe('sensorClientIdOf', () => {
  // The id names a persistent session at the broker: the same installation must find it again after a restart,
  // and two installations on one broker must not take each other's.
  it.each([
    { name: 'the same data directory on the same host', a: ['/var/lib/ioc', 'ioc-1'], b: ['/var/lib/ioc/', 'ioc-1'], same: true },
    { name: 'another data directory', a: ['/var/lib/ioc', 'ioc-1'], b: ['/var/lib/ioc-2', 'ioc-1'], same: false },
    { name: 'another host', a: ['/var/lib/ioc', 'ioc-1'], b: ['/var/lib/ioc', 'ioc-2'], same: false },
  ])('$name', ({ a, b, same }) => {
    const first = sensorClientIdOf(a[0] as string, a[1]);
    expect(first).toMatch(/^ioc-sensors-[0-9a-f]{12}$/);
    expect(first === sensorClientIdOf(b[0] as string, b[1])).toBe(same);
  });
});
