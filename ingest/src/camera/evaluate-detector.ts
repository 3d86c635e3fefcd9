import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { iocError } from '@ioc/schemas';
import {
  COCO_LABELS,
  EVALUATION_DEFAULTS,
  evaluateDetections,
  fuseRiders,
  mapCocoToTraffic,
  type ClassEvaluation,
  type EvaluationImage,
  type LabelledBox,
  type ScoredBox,
} from '@ioc/vision';
import { OnnxDetector, type DetectorModelSpec } from './onnx-detector';

/**
 * Dataset class names → the traffic classes the IOC counts. Documented in README ("Class mapping"); names are
 * matched case-insensitively. Anything else (e.g. a `person` label) is left out of the evaluation.
 */
export const DATASET_CLASS_MAPPING: Readonly<Record<string, string>> = {
  bus: 'bus',
  car: 'car',
  motorbike: 'motorcycle',
  motorcycle: 'motorcycle',
  truck: 'lorry',
  lorry: 'lorry',
  bicycle: 'bicycle',
  traffic_light: 'trafficLight',
  'traffic light': 'trafficLight',
};

/** Detector output → the same names: COCO through the traffic mapping, `traffic light` kept for signals. */
function predictionClassName(classId: number, labels: readonly string[]): string | undefined {
  const label = labels[classId];
  if (label === 'traffic light') return 'trafficLight';
  if (labels === COCO_LABELS || labels.length === 80) return mapCocoToTraffic(classId) ?? undefined;
  return label === undefined ? undefined : DATASET_CLASS_MAPPING[label.toLowerCase()];
}

export interface EvaluateDetectorOptions {
  imagesDirectory: string;
  labelsDirectory: string;
  model: DetectorModelSpec;
  threads?: number;
  /** Resize images to this aspect (width ÷ height) before detection: undoes a dataset's stretch (16/9 for 640×640 exports of 16:9 video). */
  unstretchAspect?: number | undefined;
  minBoxSidePixels?: number;
  scoreThreshold?: number;
  /** The precision a target holds recall at (`recallAtPrecisionFloor` per class). */
  precisionFloor?: number;
  logger: Logger;
}

export interface EvaluateDetectorResult {
  model: string;
  images: number;
  iouThreshold: number;
  scoreThreshold: number;
  minBoxSidePixels: number;
  precisionFloor: number;
  classMapping: Readonly<Record<string, string>>;
  classes: Record<string, Omit<ClassEvaluation, 'className'>>;
  inferenceMsMedian: number;
}

interface ImageFile {
  imagePath: string;
  labelPath: string;
  format: 'yolo' | 'json';
}

function classNamesFor(labelsDirectory: string): string[] {
  for (const candidate of [path.join(labelsDirectory, 'classes.txt'), path.join(labelsDirectory, '..', 'classes.txt')]) {
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
  }
  for (const candidate of [path.join(labelsDirectory, 'data.yaml'), path.join(labelsDirectory, '..', 'data.yaml'), path.join(labelsDirectory, '..', '..', 'data.yaml')]) {
    if (!existsSync(candidate)) continue;
    // The `names:` list of a YOLO data.yaml, block (- NAME) or inline ([a, b]) form; no YAML library needed for it.
    const text = readFileSync(candidate, 'utf8');
    const inline = /^names:\s*\[(.*)\]\s*$/m.exec(text);
    if (inline) return (inline[1] ?? '').split(',').map((name) => name.trim().replace(/^['"]|['"]$/g, ''));
    const block = /^names:\s*\n((?:\s*-\s*.+\n?)+)/m.exec(text);
    if (block) return (block[1] ?? '').split('\n').map((line) => line.replace(/^\s*-\s*/, '').trim().replace(/^['"]|['"]$/g, '')).filter(Boolean);
  }
  return [];
}

function listImages(imagesDirectory: string, labelsDirectory: string): ImageFile[] {
  if (!existsSync(imagesDirectory)) throw iocError('IOC_ERR_VALIDATION', `No images directory ${imagesDirectory}`);
  if (!existsSync(labelsDirectory)) throw iocError('IOC_ERR_VALIDATION', `No labels directory ${labelsDirectory}`);
  const files: ImageFile[] = [];
  for (const name of readdirSync(imagesDirectory).sort()) {
    if (!/\.(jpe?g|png)$/i.test(name)) continue;
    const stem = name.replace(/\.[^.]+$/, '');
    const yolo = path.join(labelsDirectory, `${stem}.txt`);
    const json = path.join(labelsDirectory, `${stem}.json`);
    if (existsSync(yolo)) files.push({ imagePath: path.join(imagesDirectory, name), labelPath: yolo, format: 'yolo' });
    else if (existsSync(json)) files.push({ imagePath: path.join(imagesDirectory, name), labelPath: json, format: 'json' });
  }
  if (files.length === 0) throw iocError('IOC_ERR_VALIDATION', `No image in ${imagesDirectory} has a label file in ${labelsDirectory}`);
  return files;
}

/** YOLO txt (class cx cy w h, normalised) → truth boxes in pixels of the (possibly unstretched) image. */
function readYoloLabels(file: string, classNames: readonly string[], widthPixels: number, heightPixels: number): LabelledBox[] {
  const boxes: LabelledBox[] = [];
  for (const [lineIndex, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    const [classIndex, centerX, centerY, width, height] = line.trim().split(/\s+/).map(Number);
    if ([classIndex, centerX, centerY, width, height].some((value) => value === undefined || !Number.isFinite(value))) {
      throw iocError('IOC_ERR_VALIDATION', `${file}:${lineIndex + 1}: expected "class cx cy w h"`);
    }
    const name = classNames[classIndex as number] ?? String(classIndex);
    const className = DATASET_CLASS_MAPPING[name.toLowerCase()];
    if (!className) continue;
    const x1 = ((centerX as number) - (width as number) / 2) * widthPixels;
    const y1 = ((centerY as number) - (height as number) / 2) * heightPixels;
    boxes.push({ xyxy: [x1, y1, x1 + (width as number) * widthPixels, y1 + (height as number) * heightPixels], className });
  }
  return boxes;
}

/** The hand-labelled frames' JSON (`boxes: [{class, x1, y1, x2, y2}]`, `ignore_regions`), in source pixels. */
function readJsonLabels(file: string, scaleX: number, scaleY: number): Pick<EvaluationImage, 'truths' | 'ignoreRegions'> {
  const document = JSON.parse(readFileSync(file, 'utf8')) as {
    boxes?: Array<{ class: string; x1: number; y1: number; x2: number; y2: number }>;
    ignore_regions?: Array<{ x1: number; y1: number; x2: number; y2: number } | [number, number, number, number]>;
  };
  const truths: LabelledBox[] = [];
  for (const box of document.boxes ?? []) {
    const className = DATASET_CLASS_MAPPING[box.class.toLowerCase()];
    if (className) truths.push({ xyxy: [box.x1 * scaleX, box.y1 * scaleY, box.x2 * scaleX, box.y2 * scaleY], className });
  }
  const ignoreRegions = (document.ignore_regions ?? []).map((region) => {
    const [x1, y1, x2, y2] = Array.isArray(region) ? region : [region.x1, region.y1, region.x2, region.y2];
    return [x1 * scaleX, y1 * scaleY, x2 * scaleX, y2 * scaleY] as const;
  });
  return { truths, ignoreRegions };
}

/** Decodes a JPEG/PNG with ffmpeg into RGB24, optionally resized (to undo a stretch). */
async function decodeImage(file: string, resize?: { widthPixels: number; heightPixels: number }): Promise<{ rgb: Uint8Array; widthPixels: number; heightPixels: number }> {
  const probe = await runFfmpeg(['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'ppm', 'pipe:1']);
  // PPM header: "P6\n<width> <height>\n255\n"
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(probe.subarray(0, 64).toString('latin1'));
  if (!header) throw iocError('IOC_ERR_VALIDATION', `Cannot decode image ${file}`);
  const widthPixels = Number(header[1]);
  const heightPixels = Number(header[2]);
  if (!resize || (resize.widthPixels === widthPixels && resize.heightPixels === heightPixels)) {
    return { rgb: new Uint8Array(probe.subarray(header[0].length, header[0].length + widthPixels * heightPixels * 3)), widthPixels, heightPixels };
  }
  const raw = await runFfmpeg(['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `scale=${resize.widthPixels}:${resize.heightPixels}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  return { rgb: new Uint8Array(raw), widthPixels: resize.widthPixels, heightPixels: resize.heightPixels };
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

/**
 * `ioc eval-detector`: runs the detector over labelled images the way the pipeline sees frames (riders folded
 * into their motorbikes, COCO classes mapped to traffic classes) and scores it per class.
 */
export async function evaluateDetector(options: EvaluateDetectorOptions): Promise<EvaluateDetectorResult> {
  const files = listImages(options.imagesDirectory, options.labelsDirectory);
  const classNames = classNamesFor(options.labelsDirectory);
  const scoreThreshold = options.scoreThreshold ?? EVALUATION_DEFAULTS.scoreThreshold;
  // Score every prediction down to a low threshold so AP sees the whole curve; P/R use the operating score.
  const detector = await OnnxDetector.load(options.model, { threads: options.threads ?? 1, scoreThreshold: 0.05, logger: options.logger });
  const images: EvaluationImage[] = [];
  const inferenceMs: number[] = [];
  try {
    for (const file of files) {
      let resize: { widthPixels: number; heightPixels: number } | undefined;
      if (options.unstretchAspect) {
        const stretched = await decodeImage(file.imagePath);
        resize = { widthPixels: Math.round((stretched.heightPixels * options.unstretchAspect) / 2) * 2, heightPixels: stretched.heightPixels };
      }
      const frame = await decodeImage(file.imagePath, resize);
      const result = await detector.detect(frame);
      inferenceMs.push(result.inferenceMs);
      const fused = fuseRiders(result.detections);
      const predictions: ScoredBox[] = [];
      for (let index = 0; index < fused.length; index += 1) {
        const className = predictionClassName(fused.classId[index] as number, detector.labels);
        if (!className) continue;
        const xyxy = fused.xyxy.subarray(index * 4, index * 4 + 4);
        predictions.push({ xyxy: [xyxy[0] as number, xyxy[1] as number, xyxy[2] as number, xyxy[3] as number], className, score: fused.confidence[index] as number });
      }
      if (file.format === 'yolo') {
        images.push({ truths: readYoloLabels(file.labelPath, classNames, frame.widthPixels, frame.heightPixels), predictions });
      } else {
        images.push({ ...readJsonLabels(file.labelPath, 1, 1), predictions });
      }
    }
  } finally {
    await detector.close();
  }
  const minBoxSidePixels = options.minBoxSidePixels ?? EVALUATION_DEFAULTS.minBoxSidePixels;
  const precisionFloor = options.precisionFloor ?? EVALUATION_DEFAULTS.precisionFloor;
  const evaluation = evaluateDetections(images, { scoreThreshold, minBoxSidePixels, precisionFloor, iouThreshold: EVALUATION_DEFAULTS.iouThreshold });
  inferenceMs.sort((left, right) => left - right);
  return {
    model: options.model.name,
    images: images.length,
    iouThreshold: EVALUATION_DEFAULTS.iouThreshold,
    scoreThreshold,
    minBoxSidePixels,
    precisionFloor,
    classMapping: DATASET_CLASS_MAPPING,
    classes: Object.fromEntries(evaluation.map(({ className, ...rest }) => [className, rest])),
    inferenceMsMedian: inferenceMs[Math.floor(inferenceMs.length / 2)] ?? 0,
  };
}
