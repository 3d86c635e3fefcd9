import { describeLength, shapeError } from './shape-error';

/**
 * Where on a box a detection is judged (line crossing, zone presence). The names follow supervision's
 * `Position`; `bottomCenter` is where a vehicle touches the road and is the default everywhere.
 */
export type Anchor =
  | 'center'
  | 'centerLeft'
  | 'centerRight'
  | 'topCenter'
  | 'topLeft'
  | 'topRight'
  | 'bottomLeft'
  | 'bottomCenter'
  | 'bottomRight';

export const ANCHORS: readonly Anchor[] = [
  'center',
  'centerLeft',
  'centerRight',
  'topCenter',
  'topLeft',
  'topRight',
  'bottomLeft',
  'bottomCenter',
  'bottomRight',
];

/** Fractions of the box width and height from the top-left corner, per anchor. */
const ANCHOR_FRACTIONS: Readonly<Record<Anchor, readonly [number, number]>> = {
  center: [0.5, 0.5],
  centerLeft: [0, 0.5],
  centerRight: [1, 0.5],
  topCenter: [0.5, 0],
  topLeft: [0, 0],
  topRight: [1, 0],
  bottomLeft: [0, 1],
  bottomCenter: [0.5, 1],
  bottomRight: [1, 1],
};

export function anchorFractions(anchor: Anchor): readonly [number, number] {
  const fractions = ANCHOR_FRACTIONS[anchor];
  if (fractions === undefined) throw shapeError('anchor', `one of ${ANCHORS.join(', ')}`, JSON.stringify(anchor));
  return fractions;
}

export interface Point {
  x: number;
  y: number;
}

/** Input accepted by `Detections.fromArrays`: plain arrays (tests, hand-written fixtures) or typed arrays (models). */
export interface DetectionArrays {
  /** n×4 boxes, x1, y1, x2, y2 in pixels of the source frame (or model input before unletterboxing). */
  xyxy: ArrayLike<number>;
  confidence: ArrayLike<number>;
  classId: ArrayLike<number>;
  trackId?: ArrayLike<number> | undefined;
}

/** A selection: a mask with one entry per detection, or a list of indices to keep (in that order). */
export type Selection = readonly boolean[] | Uint8Array | Int32Array | Uint32Array | readonly number[];

/**
 * The one container between a model and the analytics (supervision's `sv.Detections`): struct of arrays, so
 * the hot paths (NMS, tracking, zones) run over typed arrays without one object per box. Instances are treated
 * as immutable; every operation returns a new container.
 */
export class Detections {
  /** n×4: x1, y1, x2, y2 in pixels. */
  readonly xyxy: Float32Array;
  readonly confidence: Float32Array;
  readonly classId: Int32Array;
  /** Set by a tracker; -1 for a detection whose track is not confirmed yet. */
  readonly trackId: Int32Array | undefined;
  readonly length: number;

  /** Trusts its arguments; use `fromArrays` for anything that did not come from this package. */
  constructor(xyxy: Float32Array, confidence: Float32Array, classId: Int32Array, trackId?: Int32Array) {
    this.xyxy = xyxy;
    this.confidence = confidence;
    this.classId = classId;
    this.trackId = trackId;
    this.length = confidence.length;
  }

  static empty(withTrackIds = false): Detections {
    return new Detections(new Float32Array(0), new Float32Array(0), new Int32Array(0), withTrackIds ? new Int32Array(0) : undefined);
  }

  /**
   * Builds a container after checking that the arrays agree: xyxy holds 4 numbers per detection and every
   * other array one. Errors name the array and give the expected and the actual length.
   */
  static fromArrays(arrays: DetectionArrays): Detections {
    const { xyxy, confidence, classId, trackId } = arrays;
    if (xyxy === undefined || xyxy.length % 4 !== 0) {
      throw shapeError('detections.xyxy', 'a multiple of 4 numbers (n×4: x1, y1, x2, y2)', describeLength(xyxy));
    }
    const count = xyxy.length / 4;
    const expected = `length ${count} (one per box; xyxy has ${count} boxes)`;
    if (confidence === undefined || confidence.length !== count) throw shapeError('detections.confidence', expected, describeLength(confidence));
    if (classId === undefined || classId.length !== count) throw shapeError('detections.classId', expected, describeLength(classId));
    if (trackId !== undefined && trackId.length !== count) throw shapeError('detections.trackId', expected, describeLength(trackId));
    for (let index = 0; index < count; index += 1) {
      const x1 = Number(xyxy[index * 4]);
      const y1 = Number(xyxy[index * 4 + 1]);
      const x2 = Number(xyxy[index * 4 + 2]);
      const y2 = Number(xyxy[index * 4 + 3]);
      if (!(Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2))) {
        throw shapeError(`detections.xyxy[${index}]`, 'finite numbers', `[${x1}, ${y1}, ${x2}, ${y2}]`);
      }
      if (x2 < x1 || y2 < y1) throw shapeError(`detections.xyxy[${index}]`, 'x1 <= x2 and y1 <= y2', `[${x1}, ${y1}, ${x2}, ${y2}]`);
      if (!Number.isInteger(Number(classId[index]))) throw shapeError(`detections.classId[${index}]`, 'an integer', String(classId[index]));
    }
    return new Detections(
      Float32Array.from(xyxy),
      Float32Array.from(confidence),
      Int32Array.from(classId),
      trackId === undefined ? undefined : Int32Array.from(trackId),
    );
  }

  /** Concatenates containers (e.g. one per feature-map level). Track ids survive only if every part has them. */
  static merge(parts: readonly Detections[]): Detections {
    let total = 0;
    let allTracked = parts.length > 0;
    for (const part of parts) {
      total += part.length;
      if (part.trackId === undefined) allTracked = false;
    }
    const xyxy = new Float32Array(total * 4);
    const confidence = new Float32Array(total);
    const classId = new Int32Array(total);
    const trackId = allTracked ? new Int32Array(total) : undefined;
    let offset = 0;
    for (const part of parts) {
      xyxy.set(part.xyxy, offset * 4);
      confidence.set(part.confidence, offset);
      classId.set(part.classId, offset);
      if (trackId !== undefined && part.trackId !== undefined) trackId.set(part.trackId, offset);
      offset += part.length;
    }
    return new Detections(xyxy, confidence, classId, trackId);
  }

  /**
   * Keeps the selected detections. A boolean mask (boolean[] or Uint8Array) must have one entry per detection;
   * a list of indices (number[], Int32Array, Uint32Array) keeps those detections in that order.
   */
  filter(selection: Selection): Detections {
    const indices = this.toIndices(selection);
    const count = indices.length;
    const xyxy = new Float32Array(count * 4);
    const confidence = new Float32Array(count);
    const classId = new Int32Array(count);
    const trackId = this.trackId === undefined ? undefined : new Int32Array(count);
    for (let out = 0; out < count; out += 1) {
      const source = indices[out] as number;
      xyxy[out * 4] = this.xyxy[source * 4] as number;
      xyxy[out * 4 + 1] = this.xyxy[source * 4 + 1] as number;
      xyxy[out * 4 + 2] = this.xyxy[source * 4 + 2] as number;
      xyxy[out * 4 + 3] = this.xyxy[source * 4 + 3] as number;
      confidence[out] = this.confidence[source] as number;
      classId[out] = this.classId[source] as number;
      if (trackId !== undefined) trackId[out] = (this.trackId as Int32Array)[source] as number;
    }
    return new Detections(xyxy, confidence, classId, trackId);
  }

  /** The same boxes with track ids (one per detection). */
  withTrackIds(trackId: Int32Array): Detections {
    if (trackId.length !== this.length) throw shapeError('trackId', `length ${this.length} (one per detection)`, describeLength(trackId));
    return new Detections(this.xyxy, this.confidence, this.classId, trackId);
  }

  /** The same detections with new boxes (e.g. after unletterboxing). */
  withBoxes(xyxy: Float32Array): Detections {
    if (xyxy.length !== this.length * 4) throw shapeError('xyxy', `length ${this.length * 4} (n×4)`, describeLength(xyxy));
    return new Detections(xyxy, this.confidence, this.classId, this.trackId);
  }

  /** x of an anchor of box `index`, without allocating. */
  anchorX(index: number, anchor: Anchor = 'bottomCenter'): number {
    const x1 = this.xyxy[index * 4] as number;
    const x2 = this.xyxy[index * 4 + 2] as number;
    return x1 + anchorFractions(anchor)[0] * (x2 - x1);
  }

  /** y of an anchor of box `index`, without allocating. */
  anchorY(index: number, anchor: Anchor = 'bottomCenter'): number {
    const y1 = this.xyxy[index * 4 + 1] as number;
    const y2 = this.xyxy[index * 4 + 3] as number;
    return y1 + anchorFractions(anchor)[1] * (y2 - y1);
  }

  anchor(index: number, anchor: Anchor = 'bottomCenter'): Point {
    this.checkIndex(index);
    return { x: this.anchorX(index, anchor), y: this.anchorY(index, anchor) };
  }

  /** Where the vehicle touches the road: the default anchor for lines and zones. */
  bottomCenter(index: number): Point {
    return this.anchor(index, 'bottomCenter');
  }

  center(index: number): Point {
    return this.anchor(index, 'center');
  }

  topCenter(index: number): Point {
    return this.anchor(index, 'topCenter');
  }

  /** All anchors as one n×2 array (x, y), for callers that want to loop over plain numbers. */
  anchors(anchor: Anchor = 'bottomCenter', out: Float32Array = new Float32Array(this.length * 2)): Float32Array {
    const [fractionX, fractionY] = anchorFractions(anchor);
    for (let index = 0; index < this.length; index += 1) {
      const x1 = this.xyxy[index * 4] as number;
      const y1 = this.xyxy[index * 4 + 1] as number;
      out[index * 2] = x1 + fractionX * ((this.xyxy[index * 4 + 2] as number) - x1);
      out[index * 2 + 1] = y1 + fractionY * ((this.xyxy[index * 4 + 3] as number) - y1);
    }
    return out;
  }

  widthPixels(index: number): number {
    return (this.xyxy[index * 4 + 2] as number) - (this.xyxy[index * 4] as number);
  }

  heightPixels(index: number): number {
    return (this.xyxy[index * 4 + 3] as number) - (this.xyxy[index * 4 + 1] as number);
  }

  areaPixels(index: number): number {
    return this.widthPixels(index) * this.heightPixels(index);
  }

  /** Class names through a label list (index = class id); unknown ids read as `class <id>`. */
  classNames(labels: readonly string[]): string[] {
    const names: string[] = new Array<string>(this.length);
    for (let index = 0; index < this.length; index += 1) {
      const classId = this.classId[index] as number;
      names[index] = labels[classId] ?? `class ${classId}`;
    }
    return names;
  }

  /** One plain object per detection, for logs, events and test assertions (not for hot paths). */
  toObjects(): { xyxy: [number, number, number, number]; confidence: number; classId: number; trackId?: number }[] {
    const objects = [];
    for (let index = 0; index < this.length; index += 1) {
      const box: [number, number, number, number] = [
        this.xyxy[index * 4] as number,
        this.xyxy[index * 4 + 1] as number,
        this.xyxy[index * 4 + 2] as number,
        this.xyxy[index * 4 + 3] as number,
      ];
      objects.push({
        xyxy: box,
        confidence: this.confidence[index] as number,
        classId: this.classId[index] as number,
        ...(this.trackId === undefined ? {} : { trackId: this.trackId[index] as number }),
      });
    }
    return objects;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw shapeError('index', `an integer in [0, ${this.length - 1}]`, String(index));
    }
  }

  private toIndices(selection: Selection): ArrayLike<number> {
    const isMask = selection instanceof Uint8Array || (Array.isArray(selection) && selection.length > 0 && typeof selection[0] === 'boolean');
    if (isMask) {
      if (selection.length !== this.length) {
        throw shapeError('filter mask', `length ${this.length} (one entry per detection)`, describeLength(selection));
      }
      const indices: number[] = [];
      for (let index = 0; index < selection.length; index += 1) if (selection[index]) indices.push(index);
      return indices;
    }
    for (let position = 0; position < selection.length; position += 1) {
      const index = selection[position];
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.length) {
        throw shapeError(`filter indices[${position}]`, `an integer in [0, ${this.length - 1}]`, String(index));
      }
    }
    return selection as ArrayLike<number>;
  }
}
