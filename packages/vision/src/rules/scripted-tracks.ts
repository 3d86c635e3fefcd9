import { Detections } from '../detections';

/** One scripted box: a track's bottom-centre (x, y), box size and class in one frame. */
export interface ScriptedBox {
  trackId: number;
  x: number;
  y: number;
  classId?: number;
  widthPixels?: number;
  heightPixels?: number;
}

/**
 * A frame of tracked detections from scripted boxes (bottom-centre given, as a vehicle touches the road): the
 * fixture rules are table-tested with, as supervision moves one box across a line frame by frame.
 */
export function scriptedFrame(boxes: readonly ScriptedBox[]): Detections {
  return Detections.fromArrays({
    xyxy: boxes.flatMap((box) => {
      const width = box.widthPixels ?? 40;
      const height = box.heightPixels ?? 80;
      return [box.x - width / 2, box.y - height, box.x + width / 2, box.y];
    }),
    confidence: boxes.map(() => 0.9),
    classId: boxes.map((box) => box.classId ?? 3),
    trackId: boxes.map((box) => box.trackId),
  });
}

/** A straight path: `frames` positions from (x0, y0) moving (dx, dy) pixels per frame. */
export function straightPath(x0: number, y0: number, dx: number, dy: number, frames: number): Array<{ x: number; y: number }> {
  return Array.from({ length: frames }, (_, index) => ({ x: x0 + dx * index, y: y0 + dy * index }));
}
