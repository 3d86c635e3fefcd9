import type { VehicleType } from '@ioc/schemas';

/** The 80 COCO class names in the order COCO-trained detectors (NanoDet, YOLOv8/YOLO11) number them. */
export const COCO_LABELS: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** COCO ids of the classes traffic analytics cares about. */
export const COCO_CLASS_IDS = {
  person: 0,
  bicycle: 1,
  car: 2,
  motorcycle: 3,
  bus: 5,
  truck: 7,
} as const;

/** A Smart Data Models `vehicleType` (without `anyVehicle`), or a pedestrian. */
export type TrafficClass = Exclude<VehicleType, 'anyVehicle'> | 'person';

/**
 * COCO class id → traffic class (README, "Class mapping"):
 * person 0 → person, bicycle 1 → bicycle, car 2 → car, motorcycle 3 → motorcycle, bus 5 → bus,
 * truck 7 → lorry (the Smart Data Models word); every other class → null (not counted).
 * COCO has no van or tuk-tuk class: vans come out as car or truck, three-wheelers mostly as motorcycle or car.
 */
export function mapCocoToTraffic(classId: number): TrafficClass | null {
  switch (classId) {
    case COCO_CLASS_IDS.person:
      return 'person';
    case COCO_CLASS_IDS.bicycle:
      return 'bicycle';
    case COCO_CLASS_IDS.car:
      return 'car';
    case COCO_CLASS_IDS.motorcycle:
      return 'motorcycle';
    case COCO_CLASS_IDS.bus:
      return 'bus';
    case COCO_CLASS_IDS.truck:
      return 'lorry';
    default:
      return null;
  }
}

/** The COCO ids that map to a traffic class: pass as `classIds` to a decoder to skip the rest early. */
export const TRAFFIC_COCO_CLASS_IDS: readonly number[] = [0, 1, 2, 3, 5, 7];

/**
 * Model class id → COCO class id, for a model whose labels are COCO names in another order (a head fine-tuned
 * to the traffic classes: `nanodet-416-vn`). The runtime numbers every detection as COCO with it, so class
 * filters, `mapCocoToTraffic`, rider fusion and violation rules keep one vocabulary whatever the model.
 * Undefined when no mapping is needed (the 80 COCO labels in order) or possible (a label that is not a COCO
 * name: such a model keeps its own ids).
 */
export function cocoClassIdsOf(labels: readonly string[]): Int32Array | undefined {
  if (labels.length === COCO_LABELS.length && labels.every((label, index) => label === COCO_LABELS[index])) return undefined;
  const ids = new Int32Array(labels.length);
  for (const [index, label] of labels.entries()) {
    const cocoId = COCO_LABELS.indexOf(label);
    if (cocoId < 0) return undefined;
    ids[index] = cocoId;
  }
  return ids;
}
