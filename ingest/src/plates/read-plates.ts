import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { iocError, parseWith } from '@ioc/schemas';
import { compactPlate, plateEditDistance, type RgbFrame } from '@ioc/vision';
import { PlateReader, type PixelBox, type PlateReading } from './plate-reader';

/** One transcribed plate: which image, where, and what a person reads there. */
export const plateTruthSchema = z.strictObject({
  image: z.string().min(1).describe('Image path relative to the ground-truth file\'s data root'),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('Plate box x1, y1, x2, y2 in image pixels'),
  text: z.string().describe('The plate as printed, official layout (30E-558.78, 29-B1 256.62); empty when unreadable'),
  unreadable: z.boolean().optional().describe('Looked at but not readable to the character by a person: not scored'),
  notes: z.string().optional(),
});
export const plateGroundTruthSchema = z.strictObject({
  description: z.string().optional(),
  plates: z.array(plateTruthSchema).min(1),
});
export type PlateTruth = z.infer<typeof plateTruthSchema>;

export interface ReadPlatesOptions {
  imagesDirectory: string;
  /** YOLO txt labels (class cx cy w h, normalised) of plate boxes; without them the whole image is searched. */
  labelsDirectory?: string;
  threads?: number;
  logger: Logger;
}

export interface ImagePlates {
  image: string;
  widthPixels: number;
  heightPixels: number;
  plates: Array<{ labelBox: PixelBox | null; reading: PlateReading | null; readMs: number }>;
}

export interface ReadPlatesResult {
  images: ImagePlates[];
  summary: { images: number; plates: number; read: number; normalised: number; meanReadMs: number };
}

/** Decodes a JPEG/PNG with ffmpeg into RGB24 (progressive JPEGs and 16-bit PNGs included). */
export async function decodeImageFile(file: string): Promise<RgbFrame> {
  const ppm = await runFfmpeg(['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'ppm', '-pix_fmt', 'rgb24', 'pipe:1']);
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw iocError('IOC_ERR_VALIDATION', `Cannot decode image ${file}`);
  const widthPixels = Number(header[1]);
  const heightPixels = Number(header[2]);
  return { rgb: new Uint8Array(ppm.subarray(header[0].length, header[0].length + widthPixels * heightPixels * 3)), widthPixels, heightPixels };
}

function runFfmpeg(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => reject(iocError('IOC_ERR_CAMERA_SOURCE', `Cannot run ffmpeg: ${err.message}`, { cause: err })));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(iocError('IOC_ERR_VALIDATION', `ffmpeg failed: ${stderr.trim()}`))));
  });
}

/** YOLO plate boxes (any class) in pixels. */
export function readYoloBoxes(file: string, widthPixels: number, heightPixels: number): PixelBox[] {
  const boxes: PixelBox[] = [];
  for (const [lineIndex, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    const numbers = line.trim().split(/\s+/).map(Number);
    if (numbers.length < 5 || numbers.some((value) => !Number.isFinite(value))) throw iocError('IOC_ERR_VALIDATION', `${file}:${lineIndex + 1}: expected "class cx cy w h"`);
    const [, centerX, centerY, width, height] = numbers as [number, number, number, number, number];
    boxes.push([(centerX - width / 2) * widthPixels, (centerY - height / 2) * heightPixels, (centerX + width / 2) * widthPixels, (centerY + height / 2) * heightPixels]);
  }
  return boxes;
}

/**
 * `ioc read-plates`: with labels, reads each labelled plate box; without, searches the whole image (the best
 * plate-shaped text in it).
 */
export async function readPlates(options: ReadPlatesOptions): Promise<ReadPlatesResult> {
  if (!existsSync(options.imagesDirectory)) throw iocError('IOC_ERR_VALIDATION', `No images directory ${options.imagesDirectory}`);
  if (options.labelsDirectory !== undefined && !existsSync(options.labelsDirectory)) throw iocError('IOC_ERR_VALIDATION', `No labels directory ${options.labelsDirectory}`);
  const names = readdirSync(options.imagesDirectory).filter((name) => /\.(jpe?g|png)$/i.test(name)).sort();
  if (names.length === 0) throw iocError('IOC_ERR_VALIDATION', `No JPEG or PNG images in ${options.imagesDirectory}`);
  const reader = await PlateReader.create({ threads: options.threads ?? 1, logger: options.logger });
  const images: ImagePlates[] = [];
  try {
    for (const name of names) {
      const frame = await decodeImageFile(path.join(options.imagesDirectory, name));
      const entry: ImagePlates = { image: name, widthPixels: frame.widthPixels, heightPixels: frame.heightPixels, plates: [] };
      if (options.labelsDirectory !== undefined) {
        const labelFile = path.join(options.labelsDirectory, `${name.replace(/\.[^.]+$/, '')}.txt`);
        const boxes = existsSync(labelFile) ? readYoloBoxes(labelFile, frame.widthPixels, frame.heightPixels) : [];
        for (const box of boxes) {
          const started = performance.now();
          const reading = await reader.read(frame, box, { boxKind: 'plate' });
          entry.plates.push({ labelBox: box, reading: reading ?? null, readMs: performance.now() - started });
        }
      } else {
        const started = performance.now();
        const readings = await reader.readAll(frame, [0, 0, frame.widthPixels, frame.heightPixels]);
        const readMs = (performance.now() - started) / Math.max(1, readings.length);
        if (readings.length === 0) entry.plates.push({ labelBox: null, reading: null, readMs });
        for (const reading of readings) entry.plates.push({ labelBox: null, reading, readMs });
      }
      images.push(entry);
    }
  } finally {
    await reader.close();
  }
  const plates = images.flatMap((image) => image.plates);
  return {
    images,
    summary: {
      images: images.length,
      plates: plates.length,
      read: plates.filter((plate) => plate.reading).length,
      normalised: plates.filter((plate) => plate.reading?.normalised).length,
      meanReadMs: plates.reduce((sum, plate) => sum + plate.readMs, 0) / Math.max(1, plates.length),
    },
  };
}

export interface PlateTruthOutcome {
  image: string;
  truth: string;
  read: string | null;
  editDistance: number;
  exact: boolean;
  confidence: number;
}

export interface PlateAccuracy {
  plates: number;
  /** Transcribed entries marked unreadable, left out of every figure. */
  unreadableExcluded: number;
  exact: number;
  withinOneEdit: number;
  exactShare: number;
  withinOneEditShare: number;
  meanReadMs: number;
  /** Readings at or above `threshold` confidence and how many of them are exact: what a user can trust. */
  confident: { threshold: number; readings: number; exact: number };
  /** The same counts per source: the image path's first two folders (`photos/vn-street-plates`). */
  bySource: Record<string, { plates: number; exact: number; withinOneEdit: number }>;
  outcomes: PlateTruthOutcome[];
}

/** The confidence above which readings are reported separately (measured: all of them exact on the sample). */
export const CONFIDENT_READING = 0.9;

export function loadPlateGroundTruth(file: string): z.infer<typeof plateGroundTruthSchema> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw iocError('IOC_ERR_VALIDATION', `Plate ground truth ${file}: cannot read it as JSON (${(err as Error).message})`, { issues: [{ path: 'truth', reason: 'unreadable or not JSON' }] });
  }
  const parsed = parseWith(plateGroundTruthSchema, json, `plate ground truth ${file}`);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

/**
 * Reads every transcribed plate (`box` as a plate box) and compares the normalised reading with the truth:
 * exact (layout included) and within one edit (letters and digits only). Images are resolved against `dataDirectory`.
 */
export async function measurePlateAccuracy(truths: readonly PlateTruth[], dataDirectory: string, options: { threads?: number; logger: Logger }): Promise<PlateAccuracy> {
  const scored = truths.filter((truth) => !truth.unreadable);
  const reader = await PlateReader.create({ threads: options.threads ?? 1, logger: options.logger });
  const outcomes: PlateTruthOutcome[] = [];
  let totalMs = 0;
  const frames = new Map<string, RgbFrame>();
  try {
    for (const truth of scored) {
      let frame = frames.get(truth.image);
      if (!frame) {
        frame = await decodeImageFile(path.join(dataDirectory, truth.image));
        frames.clear(); // truths are grouped by image; keep one decoded frame
        frames.set(truth.image, frame);
      }
      const started = performance.now();
      const reading = await reader.read(frame, truth.box, { boxKind: 'plate' });
      totalMs += performance.now() - started;
      const read = reading ? (reading.normalised ?? reading.text) : null;
      const editDistance = read === null ? compactPlate(truth.text).length : plateEditDistance(read, truth.text);
      outcomes.push({ image: truth.image, truth: truth.text, read, editDistance, exact: read === truth.text, confidence: reading?.confidence ?? 0 });
    }
  } finally {
    await reader.close();
  }
  const exact = outcomes.filter((outcome) => outcome.exact).length;
  const withinOneEdit = outcomes.filter((outcome) => outcome.editDistance <= 1).length;
  const bySource: PlateAccuracy['bySource'] = {};
  for (const outcome of outcomes) {
    const source = outcome.image.split('/').slice(0, 2).join('/');
    const counts = (bySource[source] ??= { plates: 0, exact: 0, withinOneEdit: 0 });
    counts.plates += 1;
    if (outcome.exact) counts.exact += 1;
    if (outcome.editDistance <= 1) counts.withinOneEdit += 1;
  }
  const confidentOutcomes = outcomes.filter((outcome) => outcome.read !== null && outcome.confidence >= CONFIDENT_READING);
  return {
    plates: outcomes.length,
    bySource,
    confident: { threshold: CONFIDENT_READING, readings: confidentOutcomes.length, exact: confidentOutcomes.filter((outcome) => outcome.exact).length },
    unreadableExcluded: truths.length - scored.length,
    exact,
    withinOneEdit,
    exactShare: exact / Math.max(1, outcomes.length),
    withinOneEditShare: withinOneEdit / Math.max(1, outcomes.length),
    meanReadMs: totalMs / Math.max(1, outcomes.length),
    outcomes,
  };
}
