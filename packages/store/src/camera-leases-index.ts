// `@ioc/store/leases`: camera leases for the split ingest workers (kept apart from the main index, which the
// accounts work is changing at the same time).
export { CameraLeaseRepository, type HeldLease, type LeaseFence, type LeaseHistoryRow } from './camera-lease-repository';
export { DEFAULT_LEASE_TIMINGS, leaseTransition, planBalance, type BalanceInput, type LeaseAction, type LeaseEvent, type LeaseState, type LeaseTimings } from './camera-leases';
