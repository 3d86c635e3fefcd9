import type { SignalState } from './rule-types';

export interface SignalSmootherOptions {
  /** Frames of a new colour (dark frames between them neither count nor break the run) before the state changes. */
  confirmFrames?: number;
  /** A group read dark or unknown for longer than this becomes `unknown` (lamp occluded, camera moved, power cut). */
  holdDarkMs?: number;
}

export const SIGNAL_SMOOTHER_DEFAULTS = { confirmFrames: 3, holdDarkMs: 3000 } as const;

/** A phase change: the group shows `state` from frame `fromFrame` (the first frame of the run that confirmed it). */
export interface SignalChange {
  fromFrame: number;
  state: SignalState;
}

/**
 * Smooths per-frame lamp readings into the signal state, with hysteresis: LED lamps alias with the camera's
 * exposure and look dark for single frames, so a dark or unknown frame keeps the current state (up to
 * `holdDarkMs`), and a change needs `confirmFrames` frames of the new colour. The change is dated back to the
 * first of those frames, so the timeline matches the lamps and not the smoother's delay.
 */
export class SignalStateSmoother {
  private readonly confirmFrames: number;
  private readonly holdDarkMs: number;
  private current: SignalState = 'unknown';
  private pending: { state: SignalState; frames: number; fromFrame: number } | undefined;
  private lastLitMs: number | undefined;
  private darkSinceFrame: number | undefined;

  constructor(options: SignalSmootherOptions = {}) {
    this.confirmFrames = Math.max(1, Math.floor(options.confirmFrames ?? SIGNAL_SMOOTHER_DEFAULTS.confirmFrames));
    this.holdDarkMs = options.holdDarkMs ?? SIGNAL_SMOOTHER_DEFAULTS.holdDarkMs;
  }

  get state(): SignalState {
    return this.current;
  }

  /** One frame's reading; returns the change it completes, if any. */
  update(observed: SignalState, frameIndex: number, timestampMs: number): SignalChange | undefined {
    if (observed === 'unknown') {
      this.darkSinceFrame ??= frameIndex;
      if (this.current !== 'unknown' && this.lastLitMs !== undefined && timestampMs - this.lastLitMs > this.holdDarkMs) {
        this.current = 'unknown';
        this.pending = undefined;
        return { fromFrame: this.darkSinceFrame, state: 'unknown' };
      }
      return undefined;
    }
    this.darkSinceFrame = undefined;
    this.lastLitMs = timestampMs;
    if (observed === this.current) {
      this.pending = undefined;
      return undefined;
    }
    if (this.pending?.state !== observed) this.pending = { state: observed, frames: 0, fromFrame: frameIndex };
    this.pending.frames += 1;
    if (this.pending.frames < this.confirmFrames) return undefined;
    const change = { fromFrame: this.pending.fromFrame, state: observed };
    this.current = observed;
    this.pending = undefined;
    return change;
  }
}

/** The timeline of one group as `{ fromFrame, state }` segments, starting `unknown` at frame 0. */
export class SignalTimeline {
  private readonly segments: SignalChange[] = [{ fromFrame: 0, state: 'unknown' }];

  record(change: SignalChange): void {
    // A change dated back over the segment before it replaces that segment.
    while (this.segments.length > 0 && (this.segments[this.segments.length - 1] as SignalChange).fromFrame >= change.fromFrame) this.segments.pop();
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && last.state === change.state) return;
    this.segments.push({ ...change });
  }

  get changes(): readonly SignalChange[] {
    return this.segments;
  }
}
