import type { CameraLineCounts } from '@ioc/schemas';
import type { CameraLive } from './wall-state';
import type { CameraInfo } from './traffic';

/**
 * The camera list the map and the camera strip draw: the REST poll of `/api/v1/cameras` (every 5 s: the list,
 * names, positions) with what the cameras pushed over the socket since (`camera.counts` about once a second,
 * `camera.health` on every state change), so a counted vehicle shows on the wall within a second or two.
 */

/** Per vehicle type, summed over lines and directions. */
export function totalsByVehicleType(counts: CameraLineCounts): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const byType of Object.values(counts)) {
    for (const [vehicleType, entry] of Object.entries(byType)) {
      if (entry) totals[vehicleType] = (totals[vehicleType] ?? 0) + entry.forward + entry.backward;
    }
  }
  return totals;
}

/** All vehicles a camera counted since its pipeline started. */
export function cameraVehicleTotal(camera: Pick<CameraInfo, 'totals'>): number {
  return Object.values(camera.totals).reduce((sum, count) => sum + count, 0);
}

/** A camera's count as drawn beside it: thousands grouped the Vietnamese way (12.345) in either language. */
export function cameraCountLabel(vehicles: number): string {
  return new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 }).format(vehicles);
}

/**
 * Merges pushed data into the polled list. Counts only grow within one server epoch (the wall state drops the
 * pushed ones on a new epoch), so per vehicle type the larger of the two totals is the newer. A pushed health
 * report replaces the polled state when it is not older than the poll. Cameras with nothing pushed are returned
 * as they are, and the list itself when nothing changed (cheap memoisation downstream).
 */
export function withLiveCameraData(cameras: CameraInfo[], live: Readonly<Record<string, CameraLive>>, polledAtMs: number | undefined): CameraInfo[] {
  let changed = false;
  const merged = cameras.map((camera) => {
    const pushed = live[camera.id];
    if (!pushed) return camera;
    let next = camera;
    if (pushed.totals) {
      const pushedTotals = totalsByVehicleType(pushed.totals);
      const totals = { ...camera.totals };
      let grew = false;
      for (const [vehicleType, count] of Object.entries(pushedTotals)) {
        if (count > (totals[vehicleType] ?? 0)) {
          totals[vehicleType] = count;
          grew = true;
        }
      }
      if (grew) next = { ...next, totals };
    }
    const health = pushed.health;
    if (health && (polledAtMs === undefined || health.reportedAtMs >= polledAtMs) && (health.state !== next.state || health.lastFrameAtMs !== next.lastFrameAtMs)) {
      next = { ...next, state: health.state, lastFrameAtMs: health.lastFrameAtMs };
    }
    if (next !== camera) changed = true;
    return next;
  });
  return changed ? merged : cameras;
}
