import type { Detections } from './detections';
import { kalmanInitiate, kalmanPredict, kalmanUpdate, type KalmanCovariance, type KalmanMean } from './kalman-filter';
import { linearAssignment } from './linear-assignment';
import { boxIouAt } from './nms';

export interface CenterDistanceFallbackOptions {
  /** Largest distance between predicted and detected box centres, in box sizes (√(w·h) of the larger box). */
  maximumDistanceBoxSizes?: number;
  /** Largest ratio between the two boxes' sizes (√area), either way. */
  maximumSizeRatio?: number;
  /**
   * The gate for an established track (matched in the previous frame, `establishedAfterFrames` matches or more),
   * whose Kalman prediction carries its velocity: a vehicle does not leave its predicted path by a box size in one
   * frame, so a far box is another vehicle (a scene cut, a neighbour) and gets a new track.
   */
  establishedMaximumDistanceBoxSizes?: number;
  establishedAfterFrames?: number;
}

export interface ByteTrackOptions {
  /** Detections at or above this confidence are "high" (first association, may start tracks). */
  trackActivationThreshold?: number;
  /** Detections between this and the activation threshold are "low": they only keep existing tracks alive. */
  lowConfidenceThreshold?: number;
  /** A new track needs at least this confidence (ByteTrack `det_thresh`; default activation + 0.1). */
  newTrackThreshold?: number;
  /** Frames a lost track is kept for re-identification (at 5 fps, 25 frames = 5 s). */
  lostTrackBufferFrames?: number;
  /** Largest cost 1 − IoU·score accepted in the first association (0.8: IoU·score ≥ 0.2). */
  minimumMatchingThreshold?: number;
  /** Frames in a row a track must be matched before it gets an id; until then its detections carry -1. */
  minimumConsecutiveFrames?: number;
  /**
   * After the IoU stages, match what is left by centre distance (same class, similar size). At low frame rates
   * a small fast box (a motorbike at 5 fps) can move more than its own width between frames, so IoU with the
   * prediction of a young track (no velocity yet) is zero. `false` turns it off.
   */
  centerDistanceFallback?: CenterDistanceFallbackOptions | false;
}

export const BYTE_TRACK_DEFAULTS = {
  trackActivationThreshold: 0.25,
  lowConfidenceThreshold: 0.1,
  lostTrackBufferFrames: 30,
  minimumMatchingThreshold: 0.8,
  minimumConsecutiveFrames: 2,
  maximumDistanceBoxSizes: 2,
  maximumSizeRatio: 1.75,
  establishedMaximumDistanceBoxSizes: 1,
  establishedAfterFrames: 5,
} as const;

const SECOND_STAGE_COST_LIMIT = 0.5;
const TENTATIVE_COST_LIMIT = 0.7;

type TrackState = 'tracked' | 'lost';

interface Track {
  mean: KalmanMean;
  covariance: KalmanCovariance;
  state: TrackState;
  /** Matched in two frames (or born in the first frame): takes part in the main association. */
  activated: boolean;
  /** Consecutive matched frames until confirmed; then it only grows. */
  hits: number;
  /** The id the world sees, -1 until confirmed. */
  externalId: number;
  lastFrame: number;
  classId: number;
}

/** Box of a track's current state, written into `out` at `offset`. */
function writeTrackBox(track: Track, out: Float64Array, offset: number): void {
  const centerX = track.mean[0] as number;
  const centerY = track.mean[1] as number;
  const height = track.mean[3] as number;
  const width = (track.mean[2] as number) * height;
  out[offset] = centerX - width / 2;
  out[offset + 1] = centerY - height / 2;
  out[offset + 2] = centerX + width / 2;
  out[offset + 3] = centerY + height / 2;
}

/**
 * ByteTrack (Zhang et al., 2022) as supervision's `sv.ByteTrack` does it, with one addition for low frame rates.
 * `update` once per frame, in order, with that frame's detections (after NMS):
 * 1. every track is moved to its predicted box (Kalman filter, constant velocity);
 * 2. high-confidence detections ↔ active and lost tracks by IoU·score (Hungarian, cost limited);
 * 3. low-confidence detections ↔ the still unmatched active tracks by IoU (recovers occluded, blurred boxes);
 * 4. remaining high detections ↔ tentative tracks (seen once) by IoU·score;
 * 5. remaining high detections ↔ any remaining track by centre distance (see `centerDistanceFallback`);
 * 6. unmatched tentative tracks are dropped, other unmatched tracks become lost and are dropped after
 *    `lostTrackBufferFrames`; unmatched high detections above `newTrackThreshold` start tentative tracks.
 * Returns the detections that belong to a track (input order), with `trackId` set; a track not yet matched in
 * `minimumConsecutiveFrames` frames in a row gives -1. Ids start at 1 and are never reused.
 */
export class ByteTrack {
  private readonly trackActivationThreshold: number;
  private readonly lowConfidenceThreshold: number;
  private readonly newTrackThreshold: number;
  private readonly lostTrackBufferFrames: number;
  private readonly minimumMatchingThreshold: number;
  private readonly minimumConsecutiveFrames: number;
  private readonly fallback: Required<CenterDistanceFallbackOptions> | undefined;
  private tracks: Track[] = [];
  private frame = 0;
  private nextId = 1;
  private readonly byExternalId = new Map<number, Track>();

  constructor(options: ByteTrackOptions = {}) {
    this.trackActivationThreshold = options.trackActivationThreshold ?? BYTE_TRACK_DEFAULTS.trackActivationThreshold;
    this.lowConfidenceThreshold = options.lowConfidenceThreshold ?? BYTE_TRACK_DEFAULTS.lowConfidenceThreshold;
    this.newTrackThreshold = options.newTrackThreshold ?? this.trackActivationThreshold + 0.1;
    this.lostTrackBufferFrames = options.lostTrackBufferFrames ?? BYTE_TRACK_DEFAULTS.lostTrackBufferFrames;
    this.minimumMatchingThreshold = options.minimumMatchingThreshold ?? BYTE_TRACK_DEFAULTS.minimumMatchingThreshold;
    this.minimumConsecutiveFrames = Math.max(1, options.minimumConsecutiveFrames ?? BYTE_TRACK_DEFAULTS.minimumConsecutiveFrames);
    this.fallback =
      options.centerDistanceFallback === false
        ? undefined
        : {
            maximumDistanceBoxSizes: options.centerDistanceFallback?.maximumDistanceBoxSizes ?? BYTE_TRACK_DEFAULTS.maximumDistanceBoxSizes,
            maximumSizeRatio: options.centerDistanceFallback?.maximumSizeRatio ?? BYTE_TRACK_DEFAULTS.maximumSizeRatio,
            establishedMaximumDistanceBoxSizes: options.centerDistanceFallback?.establishedMaximumDistanceBoxSizes ?? BYTE_TRACK_DEFAULTS.establishedMaximumDistanceBoxSizes,
            establishedAfterFrames: options.centerDistanceFallback?.establishedAfterFrames ?? BYTE_TRACK_DEFAULTS.establishedAfterFrames,
          };
  }

  /** Tracks currently kept (tracked, lost and tentative). */
  get trackCount(): number {
    return this.tracks.length;
  }

  /** Forgets every track; ids continue from where they were, so they stay unique for the tracker's life. */
  reset(): void {
    this.tracks = [];
    this.byExternalId.clear();
    this.frame = 0;
  }

  /** Velocity of a confirmed track's box centre in pixels per frame, or undefined for an unknown id. */
  velocityOf(trackId: number): { vxPixelsPerFrame: number; vyPixelsPerFrame: number } | undefined {
    const track = this.byExternalId.get(trackId);
    if (track === undefined) return undefined;
    return { vxPixelsPerFrame: track.mean[4] as number, vyPixelsPerFrame: track.mean[5] as number };
  }

  update(detections: Detections): Detections {
    this.frame += 1;
    const count = detections.length;
    const { confidence, classId, xyxy } = detections;
    const detectionTrack: (Track | undefined)[] = new Array<Track | undefined>(count);

    const high: number[] = [];
    const low: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const score = confidence[index] as number;
      if (score >= this.trackActivationThreshold) high.push(index);
      else if (score > this.lowConfidenceThreshold) low.push(index);
    }

    for (const track of this.tracks) {
      if (track.state === 'lost') track.mean[7] = 0;
      kalmanPredict(track.mean, track.covariance);
    }
    const predicted = new Float64Array(this.tracks.length * 4);
    this.tracks.forEach((track, index) => writeTrackBox(track, predicted, index * 4));
    const trackIndex = new Map<Track, number>(this.tracks.map((track, index) => [track, index]));
    const matchedTracks = new Set<Track>();

    const associate = (candidates: Track[], detectionIndices: number[], costLimit: number, cost: (track: Track, detection: number) => number): number[] => {
      if (candidates.length === 0 || detectionIndices.length === 0) return detectionIndices;
      const costs = new Float64Array(candidates.length * detectionIndices.length);
      candidates.forEach((track, row) => {
        detectionIndices.forEach((detection, column) => {
          costs[row * detectionIndices.length + column] = cost(track, detection);
        });
      });
      const assignment = linearAssignment(costs, candidates.length, detectionIndices.length, costLimit);
      const taken = new Uint8Array(detectionIndices.length);
      assignment.forEach((column, row) => {
        if (column < 0) return;
        taken[column] = 1;
        this.applyMatch(candidates[row] as Track, detections, detectionIndices[column] as number);
        matchedTracks.add(candidates[row] as Track);
        detectionTrack[detectionIndices[column] as number] = candidates[row];
      });
      return detectionIndices.filter((_, column) => taken[column] === 0);
    };
    const iouCost = (track: Track, detection: number): number => 1 - boxIouAt(predicted, trackIndex.get(track) as number, xyxy, detection);
    const fusedCost = (track: Track, detection: number): number => 1 - (1 - iouCost(track, detection)) * (confidence[detection] as number);

    // 2. High detections ↔ active and lost tracks.
    const pool = this.tracks.filter((track) => track.activated);
    let remainingHigh = associate(pool, high, this.minimumMatchingThreshold, fusedCost);
    // 3. Low detections ↔ active tracks still unmatched.
    associate(
      pool.filter((track) => track.state === 'tracked' && !matchedTracks.has(track)),
      low,
      SECOND_STAGE_COST_LIMIT,
      iouCost,
    );
    // 4. Remaining high detections ↔ tentative tracks.
    remainingHigh = associate(
      this.tracks.filter((track) => !track.activated),
      remainingHigh,
      TENTATIVE_COST_LIMIT,
      fusedCost,
    );
    // 5. Centre-distance fallback for whatever is left.
    const fallback = this.fallback;
    if (fallback !== undefined) {
      remainingHigh = associate(
        this.tracks.filter((track) => !matchedTracks.has(track)),
        remainingHigh,
        1,
        (track, detection) => {
          const box = trackIndex.get(track) as number;
          const trackWidth = (predicted[box * 4 + 2] as number) - (predicted[box * 4] as number);
          const trackHeight = (predicted[box * 4 + 3] as number) - (predicted[box * 4 + 1] as number);
          const detectionWidth = (xyxy[detection * 4 + 2] as number) - (xyxy[detection * 4] as number);
          const detectionHeight = (xyxy[detection * 4 + 3] as number) - (xyxy[detection * 4 + 1] as number);
          if (track.classId !== classId[detection]) return Infinity;
          const trackSize = Math.sqrt(Math.max(trackWidth * trackHeight, 1e-6));
          const detectionSize = Math.sqrt(Math.max(detectionWidth * detectionHeight, 1e-6));
          const sizeRatio = trackSize > detectionSize ? trackSize / detectionSize : detectionSize / trackSize;
          if (sizeRatio > fallback.maximumSizeRatio) return Infinity;
          const distance = Math.hypot(
            ((xyxy[detection * 4] as number) + (xyxy[detection * 4 + 2] as number)) / 2 - (track.mean[0] as number),
            ((xyxy[detection * 4 + 1] as number) + (xyxy[detection * 4 + 3] as number)) / 2 - (track.mean[1] as number),
          );
          const established = track.hits >= fallback.establishedAfterFrames && track.lastFrame === this.frame - 1;
          const gateBoxSizes = established ? Math.min(fallback.maximumDistanceBoxSizes, fallback.establishedMaximumDistanceBoxSizes) : fallback.maximumDistanceBoxSizes;
          // Scaled so the gate sits at cost 1 and IoU-like "closer is cheaper" ordering holds.
          return distance / (gateBoxSizes * Math.max(trackSize, detectionSize));
        },
      );
    }

    // 6. Bookkeeping: drop unmatched tentative tracks, age lost tracks, start new ones.
    const survivors: Track[] = [];
    for (const track of this.tracks) {
      if (matchedTracks.has(track)) {
        survivors.push(track);
        continue;
      }
      if (!track.activated) {
        this.forget(track);
        continue;
      }
      track.state = 'lost';
      if (track.externalId < 0) track.hits = 0;
      if (this.frame - track.lastFrame > this.lostTrackBufferFrames) {
        this.forget(track);
        continue;
      }
      survivors.push(track);
    }
    for (const detection of remainingHigh) {
      if ((confidence[detection] as number) < this.newTrackThreshold) continue;
      const track = this.startTrack(detections, detection);
      survivors.push(track);
      detectionTrack[detection] = track;
    }
    this.tracks = survivors;

    const kept: number[] = [];
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const track = detectionTrack[index];
      if (track === undefined) continue;
      kept.push(index);
      ids.push(track.externalId);
    }
    return detections.filter(kept).withTrackIds(Int32Array.from(ids));
  }

  private measurement(detections: Detections, index: number): [number, number, number, number] {
    const x1 = detections.xyxy[index * 4] as number;
    const y1 = detections.xyxy[index * 4 + 1] as number;
    const x2 = detections.xyxy[index * 4 + 2] as number;
    const y2 = detections.xyxy[index * 4 + 3] as number;
    const height = Math.max(y2 - y1, 1e-3);
    return [(x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / height, height];
  }

  private applyMatch(track: Track, detections: Detections, index: number): void {
    kalmanUpdate(track.mean, track.covariance, this.measurement(detections, index));
    track.state = 'tracked';
    track.activated = true;
    track.lastFrame = this.frame;
    track.classId = detections.classId[index] as number;
    track.hits += 1;
    this.confirmIfReady(track);
  }

  private startTrack(detections: Detections, index: number): Track {
    const [centerX, centerY, aspect, height] = this.measurement(detections, index);
    const { mean, covariance } = kalmanInitiate(centerX, centerY, aspect, height);
    const track: Track = {
      mean,
      covariance,
      state: 'tracked',
      // As in ByteTrack, tracks born in the first frame skip the tentative stage.
      activated: this.frame === 1,
      hits: 1,
      externalId: -1,
      lastFrame: this.frame,
      classId: detections.classId[index] as number,
    };
    this.confirmIfReady(track);
    return track;
  }

  private confirmIfReady(track: Track): void {
    if (track.externalId < 0 && track.hits >= this.minimumConsecutiveFrames) {
      track.externalId = this.nextId;
      this.nextId += 1;
      this.byExternalId.set(track.externalId, track);
    }
  }

  private forget(track: Track): void {
    if (track.externalId >= 0) this.byExternalId.delete(track.externalId);
  }
}
