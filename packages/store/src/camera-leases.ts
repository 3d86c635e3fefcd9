/**
 * The lease state machine of one unit (a camera, or '@site' for the site-wide duties) as one worker sees it,
 * and the balancing plan of one heartbeat tick. Pure functions: the repository does the SQL, the worker loop
 * does the I/O, and both follow what these decide.
 *
 * Self-fencing: a lease is trusted locally only until `sentAtMs + ttlMs - safetyMarginMs`, where `sentAtMs` is
 * this worker's clock when it SENT the statement that acquired or renewed it. The database set the expiry at its
 * own now() + ttl, which came after the send, so the local deadline always falls before the database's expiry
 * (by the margin, minus clock-rate drift over one TTL). A worker that cannot renew in time stops its pipeline
 * before anyone else can take the camera over, whatever the network or the database does meanwhile.
 */
export interface LeaseTimings {
  /** How long an acquisition or renewal holds in the database (default 10 s). */
  ttlMs: number;
  /** How long before the database's expiry the holder stops by itself (default 2 s). */
  safetyMarginMs: number;
  /** How often a worker renews and rebalances (default 3 s; must be well under ttl - margin). */
  heartbeatMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 10_000, safetyMarginMs: 2_000, heartbeatMs: 3_000 };

export type LeaseState =
  | { kind: 'free' }
  | { kind: 'held'; epoch: number; trustedUntilMs: number }
  /** Stopped by itself (deadline passed or lease lost); becomes free once the pipeline has stopped. */
  | { kind: 'fencing'; epoch: number };

export type LeaseEvent =
  | { type: 'acquired'; epoch: number; sentAtMs: number }
  | { type: 'renewed'; epoch: number; sentAtMs: number }
  /** The renewal failed (error, timeout): nothing known; the deadline stands. */
  | { type: 'renewFailed' }
  /** The renewal found the row no longer ours at this epoch: someone else holds it. */
  | { type: 'lost' }
  | { type: 'tick'; nowMs: number }
  /** Give the unit back (rebalancing or shutdown). */
  | { type: 'release' }
  | { type: 'stopped' };

/** What the worker must do after a transition: start the pipeline, stop it, or nothing. */
export type LeaseAction = 'start' | 'stop' | 'none';

export function leaseTransition(state: LeaseState, event: LeaseEvent, timings: LeaseTimings = DEFAULT_LEASE_TIMINGS): { state: LeaseState; action: LeaseAction } {
  const trustedUntil = (sentAtMs: number): number => sentAtMs + timings.ttlMs - timings.safetyMarginMs;
  switch (state.kind) {
    case 'free':
      if (event.type === 'acquired') return { state: { kind: 'held', epoch: event.epoch, trustedUntilMs: trustedUntil(event.sentAtMs) }, action: 'start' };
      return { state, action: 'none' };
    case 'held':
      switch (event.type) {
        case 'renewed':
          // A renewal of another epoch is not ours (a late answer after a loss and re-acquisition): ignore it.
          if (event.epoch !== state.epoch) return { state, action: 'none' };
          // Answers can arrive out of order: the deadline only moves forward.
          return { state: { ...state, trustedUntilMs: Math.max(state.trustedUntilMs, trustedUntil(event.sentAtMs)) }, action: 'none' };
        case 'tick':
          if (event.nowMs >= state.trustedUntilMs) return { state: { kind: 'fencing', epoch: state.epoch }, action: 'stop' };
          return { state, action: 'none' };
        case 'lost':
        case 'release':
          return { state: { kind: 'fencing', epoch: state.epoch }, action: 'stop' };
        default:
          return { state, action: 'none' };
      }
    case 'fencing':
      // Nothing starts again until the old pipeline has really stopped.
      if (event.type === 'stopped') return { state: { kind: 'free' }, action: 'none' };
      return { state, action: 'none' };
  }
}

export interface BalanceInput {
  /** Every unit that can be leased (enabled cameras; '@site' counts as one). */
  unitCount: number;
  /** Live workers, this one included (at least 1). */
  liveWorkers: number;
  /** Units this worker holds now. */
  held: readonly string[];
  /** Units nobody holds, or whose lease expired in the database. */
  available: number;
}

/** One tick's plan: how many units to try to acquire, and which held ones to give back. */
export function planBalance(input: BalanceInput): { acquire: number; release: string[] } {
  const workers = Math.max(1, input.liveWorkers);
  const fairShare = Math.ceil(input.unitCount / workers);
  if (input.held.length > fairShare) {
    // Give back the last ones (sorted): stable, so two busy workers do not trade the same unit back and forth.
    const sorted = [...input.held].sort();
    return { acquire: 0, release: sorted.slice(fairShare) };
  }
  return { acquire: Math.min(fairShare - input.held.length, Math.max(0, input.available)), release: [] };
}
