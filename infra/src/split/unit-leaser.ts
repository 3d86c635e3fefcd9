import type { Logger } from 'pino';
import type { CameraLeaseRepository} from '@ioc/store/leases';
import { DEFAULT_LEASE_TIMINGS, leaseTransition, planBalance, type HeldLease, type LeaseEvent, type LeaseState, type LeaseTimings } from '@ioc/store/leases';

export interface UnitLeaserOptions {
  repository: CameraLeaseRepository;
  workerId: string;
  /** The units to share out: enabled camera ids and '@site'. */
  unitIds: readonly string[];
  /** Starts the unit's work under this lease; the fence (epoch) goes with every write of its results. */
  start: (unitId: string, lease: HeldLease) => Promise<void>;
  /** Stops the unit's work; resolves once nothing of it runs any more. */
  stop: (unitId: string) => Promise<void>;
  logger: Logger;
  timings?: LeaseTimings;
  now?: () => number;
}

/**
 * One ingest worker's side of the leases: every heartbeat it announces itself, renews what it holds, gives back
 * what is over its fair share and takes free or expired units up to it. A separate, frequent check stops any unit
 * whose local deadline passed (self-fencing) even while a database call hangs.
 */
export class UnitLeaser {
  readonly #options: UnitLeaserOptions;
  readonly #timings: LeaseTimings;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #states = new Map<string, LeaseState>();
  #heartbeat: NodeJS.Timeout | undefined;
  #fenceCheck: NodeJS.Timeout | undefined;
  #tickRunning: Promise<void> | undefined;
  #closed = false;

  constructor(options: UnitLeaserOptions) {
    this.#options = options;
    this.#timings = options.timings ?? DEFAULT_LEASE_TIMINGS;
    this.#now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.#log = options.logger.child({ module: 'leases', workerId: options.workerId });
  }

  async start(): Promise<void> {
    await this.#options.repository.ensureUnits(this.#options.unitIds);
    await this.#tick();
    this.#heartbeat = setInterval(() => {
      if (!this.#tickRunning) void this.#tick();
    }, this.#timings.heartbeatMs);
    this.#fenceCheck = setInterval(() => this.#checkDeadlines(), 250);
  }

  /** Units this worker holds (running or being started). */
  get held(): string[] {
    return [...this.#states.entries()].filter(([, state]) => state.kind === 'held').map(([unitId]) => unitId);
  }

  #apply(unitId: string, event: LeaseEvent): void {
    const before = this.#states.get(unitId) ?? { kind: 'free' as const };
    const { state, action } = leaseTransition(before, event, this.#timings);
    this.#states.set(unitId, state);
    if (action === 'stop') {
      const epoch = before.kind === 'held' ? before.epoch : 0;
      const reason = event.type;
      if (reason === 'tick') this.#log.warn({ unitId, epoch }, 'lease not renewed in time: stopping the unit before it expires (self-fencing)');
      else this.#log.info({ unitId, epoch, reason }, 'stopping the unit');
      void this.#options.stop(unitId).then(
        async () => {
          this.#apply(unitId, { type: 'stopped' });
          // Given back at once (the row is still ours at this epoch) so another worker need not wait for expiry.
          if (reason === 'release' || reason === 'tick') {
            await this.#options.repository.release(this.#options.workerId, { unitId, epoch }, reason === 'tick' ? 'lost' : 'released').catch((err: unknown) => this.#log.warn({ err, unitId }, 'release failed; the lease will expire'));
          }
        },
        (err: unknown) => {
          this.#log.error({ err, unitId }, 'stopping the unit failed');
          this.#apply(unitId, { type: 'stopped' });
        },
      );
    }
  }

  #checkDeadlines(): void {
    const nowMs = this.#now();
    for (const unitId of this.held) this.#apply(unitId, { type: 'tick', nowMs });
  }

  #heldLeases(): HeldLease[] {
    const leases: HeldLease[] = [];
    for (const [unitId, state] of this.#states) if (state.kind === 'held') leases.push({ unitId, epoch: state.epoch });
    return leases;
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    const run = this.#tickOnce().catch((err: unknown) => {
      for (const unitId of this.held) this.#apply(unitId, { type: 'renewFailed' });
      this.#log.warn({ err }, 'lease heartbeat failed; held units stop by themselves if it keeps failing');
    });
    this.#tickRunning = run;
    await run;
    this.#tickRunning = undefined;
  }

  async #tickOnce(): Promise<void> {
    const { repository, workerId } = this.#options;
    const sentAtMs = this.#now();
    const mine = this.#heldLeases();
    const liveWorkers = await repository.heartbeatWorker(workerId);
    const renewed = await repository.renew(workerId, mine);
    const renewedIds = new Map(renewed.map((lease) => [lease.unitId, lease.epoch]));
    for (const lease of mine) {
      if (renewedIds.get(lease.unitId) === lease.epoch) this.#apply(lease.unitId, { type: 'renewed', epoch: lease.epoch, sentAtMs });
      else {
        this.#log.warn({ unitId: lease.unitId, epoch: lease.epoch }, 'lease lost to another worker');
        this.#apply(lease.unitId, { type: 'lost' });
      }
    }
    if (this.#closed) return;
    const held = this.held;
    const available = await repository.availableCount(this.#options.unitIds);
    const plan = planBalance({ unitCount: this.#options.unitIds.length, liveWorkers, held, available });
    for (const unitId of plan.release) this.#apply(unitId, { type: 'release' });
    if (plan.acquire > 0) {
      // Units still stopping here are not asked for again until they have stopped.
      const candidates = this.#options.unitIds.filter((unitId) => (this.#states.get(unitId)?.kind ?? 'free') === 'free');
      const acquireSentAtMs = this.#now();
      const acquired = await repository.acquire(workerId, candidates, plan.acquire);
      for (const lease of acquired) {
        this.#apply(lease.unitId, { type: 'acquired', epoch: lease.epoch, sentAtMs: acquireSentAtMs });
        this.#log.info({ unitId: lease.unitId, epoch: lease.epoch, liveWorkers }, 'lease acquired');
        void this.#options.start(lease.unitId, lease).catch((err: unknown) => {
          this.#log.error({ err, unitId: lease.unitId }, 'unit did not start; giving the lease back');
          this.#apply(lease.unitId, { type: 'release' });
        });
      }
    }
  }

  /** Stops every unit, gives the leases back and leaves the worker list. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#fenceCheck) clearInterval(this.#fenceCheck);
    await this.#tickRunning;
    const leases = this.#heldLeases();
    for (const lease of leases) this.#states.set(lease.unitId, { kind: 'fencing', epoch: lease.epoch });
    await Promise.all(leases.map(async (lease) => {
      await this.#options.stop(lease.unitId).catch((err: unknown) => this.#log.warn({ err, unitId: lease.unitId }, 'stop failed'));
      await this.#options.repository.release(this.#options.workerId, lease).catch((err: unknown) => this.#log.warn({ err, unitId: lease.unitId }, 'release failed; the lease will expire'));
    }));
    await this.#options.repository.removeWorker(this.#options.workerId).catch(() => undefined);
  }
}
