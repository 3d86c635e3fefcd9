import { initialWallState, type WallState } from '../state/wall-state';

/**
 * Holds the wall state and tells views about it at most once per animation frame and at most every
 * `minIntervalMs`: socket.io may bring several batches between two frames, the views draw only the last state.
 * `state` is always current (the connection and test hooks read it); `getSnapshot` is what React renders.
 */
export class WallStore {
  #state: WallState;
  #published: WallState;
  readonly #listeners = new Set<() => void>();
  #scheduled = false;
  #lastFlushMs = -Infinity;
  readonly #minIntervalMs: number;

  constructor(nowMs: number, options: { minIntervalMs?: number } = {}) {
    this.#state = initialWallState(nowMs);
    this.#published = this.#state;
    this.#minIntervalMs = options.minIntervalMs ?? 200;
  }

  get state(): WallState {
    return this.#state;
  }

  update(updater: (state: WallState) => WallState): WallState {
    const next = updater(this.#state);
    if (next !== this.#state) {
      this.#state = next;
      this.#schedule();
    }
    return next;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): WallState => this.#published;

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const waitMs = Math.max(0, this.#lastFlushMs + this.#minIntervalMs - performance.now());
    setTimeout(() => {
      let done = false;
      const flush = () => {
        if (done) return;
        done = true;
        this.#flush();
      };
      requestAnimationFrame(flush);
      // A hidden tab gets no animation frames; keep the state (and the hooks) moving anyway.
      setTimeout(flush, 1000);
    }, waitMs);
  }

  #flush(): void {
    this.#scheduled = false;
    this.#lastFlushMs = performance.now();
    if (this.#published === this.#state) return;
    this.#published = this.#state;
    for (const listener of this.#listeners) listener();
  }
}
