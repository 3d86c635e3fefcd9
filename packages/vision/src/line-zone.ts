import type { Anchor, Detections, Point } from './detections';
import { anchorFractions } from './detections';
import { shapeError } from './shape-error';

export interface LineZoneOptions {
  /** Directed line in pixels of the source frame; forward = toward its normal (−dy, dx), y down. */
  start: Point;
  end: Point;
  /** Where on the box the crossing is judged; the road contact point by default. */
  anchor?: Anchor;
  /**
   * Frames in a row a track must stay on the new side before the crossing counts. 1 counts at the first frame
   * on the other side; 2 or more ignores a box that flickers across the line and back (jitter, occlusion).
   */
  minimumCrossingFrames?: number;
  /** A track not seen for this many frames is forgotten (bounded memory over days of running). */
  forgetAfterFrames?: number;
  /**
   * Dead band around the line, as a share of the box height: an anchor closer to the line than this is "on the
   * line" and changes no side. The box of a rider flickers as the detector sees rider and bike together or
   * apart; without a dead band a queued motorbike whose anchor sits on the line is counted back and forth.
   */
  deadBandBoxFraction?: number;
}

export const LINE_ZONE_DEFAULTS = {
  anchor: 'bottomCenter' as Anchor,
  minimumCrossingFrames: 2,
  forgetAfterFrames: 150,
  deadBandBoxFraction: 0.1,
} as const;

export type CrossingDirection = 'forward' | 'backward';

export interface LineCrossing {
  trackId: number;
  /** The class the track was seen as most often so far (riders flicker between person and motorbike). */
  classId: number;
  direction: CrossingDirection;
}

export interface DirectionCounts {
  forward: number;
  backward: number;
}

interface TrackLineState {
  /** Side the track is counted on: +1 forward half-plane, −1 backward, 0 not known yet. */
  side: number;
  /** Last anchor position seen on `side` (the start of the crossing segment). */
  lastOnSideX: number;
  lastOnSideY: number;
  candidateSide: number;
  candidateFrames: number;
  /** First anchor seen on the candidate side (the end of the crossing segment). */
  candidateX: number;
  candidateY: number;
  lastSeenFrame: number;
  classVotes: Map<number, number>;
}

/**
 * Counts tracks crossing a line segment, by class and direction (supervision's `LineZone`, made robust for
 * 5 fps analysis): a crossing is the anchor's side changing and staying changed for `minimumCrossingFrames`,
 * where the path from the last position on the old side to the first on the new one passes through the
 * segment itself — a vehicle passing beside the end of the line does not count. Jumps across the line within
 * one frame (fast vehicles, low frame rates) count, since only the side matters. Detections without a
 * confirmed track (trackId −1) are ignored.
 */
export class LineZone {
  readonly start: Point;
  readonly end: Point;
  readonly anchor: Anchor;
  private readonly minimumCrossingFrames: number;
  private readonly forgetAfterFrames: number;
  private readonly deadBandBoxFraction: number;
  private readonly lengthPixels: number;
  private readonly tracks = new Map<number, TrackLineState>();
  private readonly countsByClassId = new Map<number, DirectionCounts>();
  private frame = 0;
  private forwardTotal = 0;
  private backwardTotal = 0;

  constructor(options: LineZoneOptions) {
    const { start, end } = options;
    if (![start.x, start.y, end.x, end.y].every(Number.isFinite)) throw shapeError('line', 'finite start and end points', JSON.stringify({ start, end }));
    if (start.x === end.x && start.y === end.y) throw shapeError('line', 'two distinct points', JSON.stringify({ start, end }));
    this.start = { ...start };
    this.end = { ...end };
    this.anchor = options.anchor ?? LINE_ZONE_DEFAULTS.anchor;
    anchorFractions(this.anchor);
    this.minimumCrossingFrames = Math.max(1, Math.floor(options.minimumCrossingFrames ?? LINE_ZONE_DEFAULTS.minimumCrossingFrames));
    this.forgetAfterFrames = Math.max(1, options.forgetAfterFrames ?? LINE_ZONE_DEFAULTS.forgetAfterFrames);
    this.deadBandBoxFraction = Math.max(0, options.deadBandBoxFraction ?? LINE_ZONE_DEFAULTS.deadBandBoxFraction);
    this.lengthPixels = Math.hypot(end.x - start.x, end.y - start.y);
  }

  get forwardCount(): number {
    return this.forwardTotal;
  }

  get backwardCount(): number {
    return this.backwardTotal;
  }

  /** Counts per class id (the class each track was seen as most often when it crossed). */
  countsByClass(): ReadonlyMap<number, Readonly<DirectionCounts>> {
    return this.countsByClassId;
  }

  /** Tracks currently remembered (for memory checks). */
  get trackedCount(): number {
    return this.tracks.size;
  }

  /** Which side of the line a point is on: +1 forward, −1 backward, 0 within `deadBandPixels` of the line. */
  sideOf(x: number, y: number, deadBandPixels = 0): number {
    const directionX = this.end.x - this.start.x;
    const directionY = this.end.y - this.start.y;
    // Cross product d × (p − start) / |d|: signed distance, positive toward the normal (−dy, dx) in y-down coordinates.
    const distance = (directionX * (y - this.start.y) - directionY * (x - this.start.x)) / this.lengthPixels;
    return distance > deadBandPixels ? 1 : distance < -deadBandPixels ? -1 : 0;
  }

  /** Feed one frame's tracked detections; returns the crossings completed in this frame. */
  trigger(detections: Detections): LineCrossing[] {
    this.frame += 1;
    const crossings: LineCrossing[] = [];
    const trackIds = detections.trackId;
    if (trackIds !== undefined) {
      for (let index = 0; index < detections.length; index += 1) {
        const trackId = trackIds[index] as number;
        if (trackId < 0) continue;
        const deadBandPixels = this.deadBandBoxFraction * detections.heightPixels(index);
        const crossing = this.observe(trackId, detections.classId[index] as number, detections.anchorX(index, this.anchor), detections.anchorY(index, this.anchor), deadBandPixels);
        if (crossing) crossings.push(crossing);
      }
    }
    this.forgetStale();
    return crossings;
  }

  private observe(trackId: number, classId: number, x: number, y: number, deadBandPixels: number): LineCrossing | undefined {
    const side = this.sideOf(x, y, deadBandPixels);
    let state = this.tracks.get(trackId);
    if (state === undefined) {
      state = { side, lastOnSideX: x, lastOnSideY: y, candidateSide: 0, candidateFrames: 0, candidateX: x, candidateY: y, lastSeenFrame: this.frame, classVotes: new Map() };
      this.tracks.set(trackId, state);
    }
    state.lastSeenFrame = this.frame;
    state.classVotes.set(classId, (state.classVotes.get(classId) ?? 0) + 1);
    if (side === 0) return undefined; // in the dead band: wait for a side
    if (state.side === 0) {
      state.side = side;
      state.lastOnSideX = x;
      state.lastOnSideY = y;
      return undefined;
    }
    if (side === state.side) {
      state.lastOnSideX = x;
      state.lastOnSideY = y;
      state.candidateSide = 0;
      state.candidateFrames = 0;
      return undefined;
    }
    if (state.candidateSide !== side) {
      state.candidateSide = side;
      state.candidateFrames = 0;
      state.candidateX = x;
      state.candidateY = y;
    }
    state.candidateFrames += 1;
    if (state.candidateFrames < this.minimumCrossingFrames) return undefined;

    const throughSegment = this.pathCrossesSegment(state.lastOnSideX, state.lastOnSideY, state.candidateX, state.candidateY);
    state.side = side;
    state.lastOnSideX = x;
    state.lastOnSideY = y;
    state.candidateSide = 0;
    state.candidateFrames = 0;
    if (!throughSegment) return undefined;

    const direction: CrossingDirection = side > 0 ? 'forward' : 'backward';
    const votedClassId = majorityClass(state.classVotes, classId);
    const counts = this.countsByClassId.get(votedClassId) ?? { forward: 0, backward: 0 };
    counts[direction] += 1;
    this.countsByClassId.set(votedClassId, counts);
    if (direction === 'forward') this.forwardTotal += 1;
    else this.backwardTotal += 1;
    return { trackId, classId: votedClassId, direction };
  }

  /** Whether the path from (ax, ay) to (bx, by) meets the line segment between its end points. */
  private pathCrossesSegment(ax: number, ay: number, bx: number, by: number): boolean {
    const directionX = this.end.x - this.start.x;
    const directionY = this.end.y - this.start.y;
    const pathX = bx - ax;
    const pathY = by - ay;
    // Solve a + t·path = start + u·direction (crossing both sides with path): u = ((a − start) × path) / (direction × path);
    // the crossing is on the segment when 0 ≤ u ≤ 1.
    const denominator = directionX * pathY - directionY * pathX;
    if (denominator === 0) return false;
    const u = ((ax - this.start.x) * pathY - (ay - this.start.y) * pathX) / denominator;
    return u >= 0 && u <= 1;
  }

  private forgetStale(): void {
    for (const [trackId, state] of this.tracks) {
      if (this.frame - state.lastSeenFrame > this.forgetAfterFrames) this.tracks.delete(trackId);
    }
  }
}

function majorityClass(votes: ReadonlyMap<number, number>, fallback: number): number {
  let best = fallback;
  let bestVotes = -1;
  for (const [classId, count] of votes) {
    if (count > bestVotes) {
      best = classId;
      bestVotes = count;
    }
  }
  return best;
}
