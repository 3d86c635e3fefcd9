import { describe, expect, it } from 'vitest';
import { leaseTransition, planBalance, type LeaseEvent, type LeaseState, type LeaseTimings } from './camera-leases';

const timings: LeaseTimings = { ttlMs: 10_000, safetyMarginMs: 2_000, heartbeatMs: 3_000 };
const free: LeaseState = { kind: 'free' };
const held = (epoch: number, trustedUntilMs: number): LeaseState => ({ kind: 'held', epoch, trustedUntilMs });
const fencing = (epoch: number): LeaseState => ({ kind: 'fencing', epoch });

describe('lease state machine', () => {
  it.each<{ name: string; from: LeaseState; event: LeaseEvent; to: LeaseState; action: 'start' | 'stop' | 'none' }>([
    { name: 'free + acquired → held, trusted until send + ttl - margin; start', from: free, event: { type: 'acquired', epoch: 4, sentAtMs: 1_000 }, to: held(4, 9_000), action: 'start' },
    { name: 'free + tick → free', from: free, event: { type: 'tick', nowMs: 50_000 }, to: free, action: 'none' },
    { name: 'free + renewed (late answer) → free', from: free, event: { type: 'renewed', epoch: 4, sentAtMs: 1_000 }, to: free, action: 'none' },
    { name: 'free + lost → free', from: free, event: { type: 'lost' }, to: free, action: 'none' },
    { name: 'held + renewed → deadline moves on', from: held(4, 9_000), event: { type: 'renewed', epoch: 4, sentAtMs: 4_000 }, to: held(4, 12_000), action: 'none' },
    { name: 'held + renewed out of order → deadline never moves back', from: held(4, 12_000), event: { type: 'renewed', epoch: 4, sentAtMs: 1_500 }, to: held(4, 12_000), action: 'none' },
    { name: 'held + renewed of another epoch → ignored', from: held(5, 9_000), event: { type: 'renewed', epoch: 4, sentAtMs: 8_000 }, to: held(5, 9_000), action: 'none' },
    { name: 'held + renewFailed → deadline stands', from: held(4, 9_000), event: { type: 'renewFailed' }, to: held(4, 9_000), action: 'none' },
    { name: 'held + tick before the deadline → keeps running', from: held(4, 9_000), event: { type: 'tick', nowMs: 8_999 }, to: held(4, 9_000), action: 'none' },
    { name: 'held + tick at the deadline → self-fences: stop', from: held(4, 9_000), event: { type: 'tick', nowMs: 9_000 }, to: fencing(4), action: 'stop' },
    { name: 'held + tick long after (paused process) → stop', from: held(4, 9_000), event: { type: 'tick', nowMs: 90_000 }, to: fencing(4), action: 'stop' },
    { name: 'held + lost → stop', from: held(4, 9_000), event: { type: 'lost' }, to: fencing(4), action: 'stop' },
    { name: 'held + release (rebalance) → stop', from: held(4, 9_000), event: { type: 'release' }, to: fencing(4), action: 'stop' },
    { name: 'held + acquired again → ignored (already held)', from: held(4, 9_000), event: { type: 'acquired', epoch: 5, sentAtMs: 2_000 }, to: held(4, 9_000), action: 'none' },
    { name: 'fencing + acquired → waits for the stop first', from: fencing(4), event: { type: 'acquired', epoch: 5, sentAtMs: 2_000 }, to: fencing(4), action: 'none' },
    { name: 'fencing + renewed → stays fenced', from: fencing(4), event: { type: 'renewed', epoch: 4, sentAtMs: 2_000 }, to: fencing(4), action: 'none' },
    { name: 'fencing + stopped → free', from: fencing(4), event: { type: 'stopped' }, to: free, action: 'none' },
  ])('$name', ({ from, event, to, action }) => {
    expect(leaseTransition(from, event, timings)).toEqual({ state: to, action });
  });

  it('a lease renewed every heartbeat stays trusted; one whose renewals fail stops before the database expiry', () => {
    let state: LeaseState = free;
    state = leaseTransition(state, { type: 'acquired', epoch: 1, sentAtMs: 0 }, timings).state;
    for (let nowMs = 3_000; nowMs <= 30_000; nowMs += 3_000) {
      state = leaseTransition(state, { type: 'renewed', epoch: 1, sentAtMs: nowMs }, timings).state;
      expect(leaseTransition(state, { type: 'tick', nowMs: nowMs + 100 }, timings).action).toBe('none');
    }
    // Last renewal sent at 30 s: the database holds it until at least 40 s; this worker stops by 38 s.
    const outcomes = [31_000, 34_000, 37_000, 38_000].map((nowMs) => {
      state = leaseTransition(state, { type: 'renewFailed' }, timings).state;
      const step = leaseTransition(state, { type: 'tick', nowMs }, timings);
      state = step.state;
      return step.action;
    });
    expect(outcomes).toEqual(['none', 'none', 'none', 'stop']);
  });
});

describe('balancing plan', () => {
  it.each([
    { name: 'one worker takes everything available', input: { unitCount: 5, liveWorkers: 1, held: [], available: 5 }, acquire: 5, release: [] },
    { name: 'two workers: half each (rounded up)', input: { unitCount: 5, liveWorkers: 2, held: [], available: 5 }, acquire: 3, release: [] },
    { name: 'a new worker appears: the full one gives back the sorted tail', input: { unitCount: 4, liveWorkers: 2, held: ['cam-d', 'cam-a', 'cam-c', 'cam-b'], available: 0 }, acquire: 0, release: ['cam-c', 'cam-d'] },
    { name: 'a worker died: the survivor takes its share', input: { unitCount: 4, liveWorkers: 1, held: ['cam-a', 'cam-b'], available: 2 }, acquire: 2, release: [] },
    { name: 'at its share: nothing to do', input: { unitCount: 4, liveWorkers: 2, held: ['cam-a', 'cam-b'], available: 0 }, acquire: 0, release: [] },
    { name: 'wants more than is free: takes what is free', input: { unitCount: 6, liveWorkers: 1, held: ['cam-a'], available: 2 }, acquire: 2, release: [] },
    { name: 'no live workers counted (own row not yet seen): as if alone', input: { unitCount: 3, liveWorkers: 0, held: [], available: 3 }, acquire: 3, release: [] },
    { name: 'more workers than units: one each at most', input: { unitCount: 2, liveWorkers: 3, held: ['cam-a'], available: 1 }, acquire: 0, release: [] },
  ])('$name', ({ input, acquire, release }) => {
    expect(planBalance(input)).toEqual({ acquire, release });
  });
});
