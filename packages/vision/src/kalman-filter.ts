/**
 * The ByteTrack/DeepSORT constant-velocity Kalman filter on (cx, cy, aspect = w/h, h) with the same noise
 * model (position noise 1/20 and velocity noise 1/160 of the box height, per frame).
 *
 * Its motion, measurement and noise matrices are block-diagonal per coordinate, so the 8×8 covariance stays
 * four independent 2×2 blocks (position variance, position-velocity covariance, velocity variance). This
 * implementation stores just those 12 numbers and is exactly equivalent to the 8×8 form, without matrix
 * allocations.
 */
const POSITION_WEIGHT = 1 / 20;
const VELOCITY_WEIGHT = 1 / 160;

/** State: cx, cy, aspect, h, then their velocities per frame. */
export type KalmanMean = Float64Array;
/** Per coordinate k: [3k] position variance, [3k+1] covariance, [3k+2] velocity variance. */
export type KalmanCovariance = Float64Array;

function positionStd(height: number, coordinate: number, aspectStd: number): number {
  return coordinate === 2 ? aspectStd : POSITION_WEIGHT * height;
}

function velocityStd(height: number, coordinate: number): number {
  return coordinate === 2 ? 1e-5 : VELOCITY_WEIGHT * height;
}

export function kalmanInitiate(centerX: number, centerY: number, aspect: number, height: number): { mean: KalmanMean; covariance: KalmanCovariance } {
  const mean = Float64Array.of(centerX, centerY, aspect, height, 0, 0, 0, 0);
  const covariance = new Float64Array(12);
  for (let coordinate = 0; coordinate < 4; coordinate += 1) {
    covariance[coordinate * 3] = (2 * positionStd(height, coordinate, 1e-2 / 2)) ** 2;
    covariance[coordinate * 3 + 2] = (coordinate === 2 ? 1e-5 : 10 * velocityStd(height, coordinate)) ** 2;
  }
  return { mean, covariance };
}

export function kalmanPredict(mean: KalmanMean, covariance: KalmanCovariance): void {
  const height = mean[3] as number;
  for (let coordinate = 0; coordinate < 4; coordinate += 1) {
    const positionVariance = covariance[coordinate * 3] as number;
    const crossCovariance = covariance[coordinate * 3 + 1] as number;
    const velocityVariance = covariance[coordinate * 3 + 2] as number;
    mean[coordinate] = (mean[coordinate] as number) + (mean[coordinate + 4] as number);
    covariance[coordinate * 3] = positionVariance + 2 * crossCovariance + velocityVariance + positionStd(height, coordinate, 1e-2) ** 2;
    covariance[coordinate * 3 + 1] = crossCovariance + velocityVariance;
    covariance[coordinate * 3 + 2] = velocityVariance + velocityStd(height, coordinate) ** 2;
  }
}

export function kalmanUpdate(mean: KalmanMean, covariance: KalmanCovariance, measurement: ArrayLike<number>): void {
  const height = mean[3] as number;
  for (let coordinate = 0; coordinate < 4; coordinate += 1) {
    const positionVariance = covariance[coordinate * 3] as number;
    const crossCovariance = covariance[coordinate * 3 + 1] as number;
    const velocityVariance = covariance[coordinate * 3 + 2] as number;
    const innovationVariance = positionVariance + positionStd(height, coordinate, 1e-1) ** 2;
    const positionGain = positionVariance / innovationVariance;
    const velocityGain = crossCovariance / innovationVariance;
    const innovation = (measurement[coordinate] as number) - (mean[coordinate] as number);
    mean[coordinate] = (mean[coordinate] as number) + positionGain * innovation;
    mean[coordinate + 4] = (mean[coordinate + 4] as number) + velocityGain * innovation;
    covariance[coordinate * 3] = positionVariance - positionGain * positionVariance;
    covariance[coordinate * 3 + 1] = crossCovariance - positionGain * crossCovariance;
    covariance[coordinate * 3 + 2] = velocityVariance - velocityGain * crossCovariance;
  }
}
