import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeOnnxModel, OnnxDataType } from '@ioc/models/onnx-proto';
import { YOLO_NORMALISATION } from '@ioc/vision';
import { OnnxDetector, type DetectorModelSpec } from '@ioc/ingest';

/**
 * A city can drop in its own YOLOv8/YOLO11 export: the adapter for `[1, 4 + C, N]` outputs, run through the
 * same detector runtime (worker-thread onnxruntime, letterbox, NMS, back to source pixels) as the shipped model.
 * The test builds a tiny ONNX graph whose output is a known head tensor: Add(ReduceSum(images) · 0, head).
 */
const scratch = mkdtempSync(path.join(tmpdir(), 'ioc-yolo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const INPUT_SIDE = 8;
const CLASSES = 2;
const ANCHORS = 3;

/** Channel-major head: rows cx, cy, w, h (model-input pixels), then one score row per class. */
function headTensor(): Float32Array {
  const head = new Float32Array((4 + CLASSES) * ANCHORS);
  const set = (channel: number, anchor: number, value: number) => (head[channel * ANCHORS + anchor] = value);
  // Anchor 0: class 1 at (4, 4), 4×2, score 0.9. Anchor 1: the same box, class 1, 0.6 (NMS removes it).
  // Anchor 2: below every threshold.
  for (const [anchor, score] of [
    [0, 0.9],
    [1, 0.6],
  ] as const) {
    set(0, anchor, 4);
    set(1, anchor, 4);
    set(2, anchor, 4);
    set(3, anchor, 2);
    set(5, anchor, score);
  }
  set(4, 2, 0.05);
  return head;
}

function float32Tensor(name: string, dims: number[], values: Float32Array) {
  return { name, dataType: OnnxDataType.FLOAT, dims, rawData: new Uint8Array(values.buffer.slice(0)) };
}

function writeYoloModel(file: string): void {
  const bytes = encodeOnnxModel({
    producerName: 'ioc-test',
    producerVersion: '1',
    graph: {
      name: 'tiny-yolo-head',
      inputs: [{ name: 'images', elemType: OnnxDataType.FLOAT, dims: [1, 3, INPUT_SIDE, INPUT_SIDE] }],
      outputs: [{ name: 'output0', elemType: OnnxDataType.FLOAT, dims: [1, 4 + CLASSES, ANCHORS] }],
      initializers: [float32Tensor('head', [1, 4 + CLASSES, ANCHORS], headTensor()), float32Tensor('zero', [], new Float32Array([0]))],
      nodes: [
        { name: 'sum', opType: 'ReduceSum', inputs: ['images'], outputs: ['total'], attributes: { keepdims: { type: 'int', value: 0 } } },
        { name: 'mute', opType: 'Mul', inputs: ['total', 'zero'], outputs: ['nothing'], attributes: {} },
        { name: 'emit', opType: 'Add', inputs: ['head', 'nothing'], outputs: ['output0'], attributes: {} },
      ],
    },
  });
  writeFileSync(file, bytes);
}

describe('YOLOv8/YOLO11 export behind the Detections contract', () => {
  const file = path.join(scratch, 'tiny-yolo.onnx');
  writeYoloModel(file);
  const spec: DetectorModelSpec = {
    name: 'tiny-yolo',
    type: 'yolov8',
    file,
    inputWidthPixels: INPUT_SIDE,
    inputHeightPixels: INPUT_SIDE,
    normalisation: YOLO_NORMALISATION,
    labels: ['bus', 'car'],
  };

  it('decodes, suppresses duplicates and maps boxes back to the source frame', async () => {
    const detector = await OnnxDetector.load(spec, { logger: pino({ level: 'silent' }), scoreThreshold: 0.25 });
    try {
      // A 16×16 frame letterboxes into 8×8 at scale 0.5: model box (2, 3)–(6, 5) is (4, 6)–(12, 10) here.
      const result = await detector.detect({ rgb: new Uint8Array(16 * 16 * 3).fill(90), widthPixels: 16, heightPixels: 16 });
      // Model class 1 is 'car': labels that are COCO names come out numbered as COCO (car = 2).
      expect(result.detections.toObjects()).toEqual([{ xyxy: [4, 6, 12, 10], confidence: expect.closeTo(0.9, 5) as unknown as number, classId: 2 }]);
      expect(detector.labels[2]).toBe('car');
      // The same detector again: the input buffer came back from the worker and is reused.
      const again = await detector.detect({ rgb: new Uint8Array(16 * 16 * 3).fill(10), widthPixels: 16, heightPixels: 16 });
      expect(again.detections.length).toBe(1);
    } finally {
      await detector.close();
    }
  });

  it('filters by COCO class ids whatever the order of the model head', async () => {
    const logger = pino({ level: 'silent' });
    const frame = { rgb: new Uint8Array(16 * 16 * 3).fill(90), widthPixels: 16, heightPixels: 16 };
    for (const { classIds, expected } of [
      { classIds: [2], expected: [2] },
      { classIds: [5, 7], expected: [] },
    ]) {
      const detector = await OnnxDetector.load(spec, { logger, scoreThreshold: 0.25, classIds });
      try {
        expect(Array.from((await detector.detect(frame)).detections.classId)).toEqual(expected);
      } finally {
        await detector.close();
      }
    }
  });

  it('keeps the model\'s own ids and labels when they are not COCO names', async () => {
    const detector = await OnnxDetector.load({ ...spec, labels: ['BUS', 'CAR'] }, { logger: pino({ level: 'silent' }), scoreThreshold: 0.25 });
    try {
      const result = await detector.detect({ rgb: new Uint8Array(16 * 16 * 3).fill(90), widthPixels: 16, heightPixels: 16 });
      expect(Array.from(result.detections.classId)).toEqual([1]);
      expect(detector.labels).toEqual(['BUS', 'CAR']);
    } finally {
      await detector.close();
    }
  });

  it('names the model and the expected shape when the output does not fit the adapter', async () => {
    const detector = await OnnxDetector.load({ ...spec, type: 'nanodet' }, { logger: pino({ level: 'silent' }) });
    try {
      await expect(detector.detect({ rgb: new Uint8Array(8 * 8 * 3), widthPixels: 8, heightPixels: 8 })).rejects.toMatchObject({
        code: 'IOC_ERR_MODEL',
        message: expect.stringMatching(/tiny-yolo \(nanodet\)/),
      });
    } finally {
      await detector.close();
    }
  });

  it('says which file is missing', async () => {
    await expect(OnnxDetector.load({ ...spec, file: path.join(scratch, 'absent.onnx') }, { logger: pino({ level: 'silent' }) })).rejects.toMatchObject({
      code: 'IOC_ERR_MODEL',
      message: expect.stringMatching(/absent\.onnx is missing; run `pnpm models:build`/),
    });
  });
});
