"""Fine-tunes the shipped NanoDet (COCO) on Vietnamese street traffic: `pnpm models:train` runs this.

    /usr/bin/python3 models/train/train.py [--epochs 24] [--seed 8] [--threads 2] [--out DIR]

Reads the graph dumped by dump-graph.ts (models/train/.work/nanodet-416), keeps 6 of the 80 COCO class rows
(CLASS_NAMES below, COCO names so the runtime's COCO mapping keeps working), trains on the dataset's train split
with NanoDet's GFL losses and an ATSS assigner, scores every epoch on the valid split, and writes the best epoch
(by mean AP@0.5 on valid) as graph.json + weights.bin for export-onnx.ts. The test split and the labelled Hà Nội
frames are never read here.

Deterministic for a given seed, thread count and torch build (torch.use_deterministic_algorithms on CPU).
"""

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from graph_module import GraphModule

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'datasets', 'vn-vehicles-roboflow-ccby'))

# Output classes, by COCO name, initialised from these COCO rows of the shipped head.
CLASS_NAMES = ['motorcycle', 'car', 'bus', 'truck', 'bicycle', 'traffic light']
COCO_IDS = [3, 2, 5, 7, 1, 9]
# Dataset classes (data.yaml order: BUS CAR MOTORBIKE TRAFFIC_LIGHT TRUCK) → our class index.
DATASET_TO_CLASS = {0: 2, 1: 1, 2: 0, 3: 5, 4: 3}
# The dataset labels no bicycles, so any bicycle in its images counts as background: training that channel on
# it would teach "bicycles are not objects". Its loss is masked; it keeps (drifting) COCO behaviour.
MASKED_CLASSES = [4]

INPUT_SIZE = 416
STRIDES = [8, 16, 32]
REG_MAX = 10
# BGR mean/std of the shipped model (manifest normalisation); the runtime pads with pixel value 0.
MEAN_BGR = torch.tensor([103.53, 116.28, 123.675]).view(3, 1, 1)
STD_BGR = torch.tensor([57.375, 57.12, 58.395]).view(3, 1, 1)
# The dataset's 640×640 images are 16:9 video frames squeezed; undo it as eval-detector's --unstretch 16:9 does.
SOURCE_ASPECT = 16 / 9
# Augmentation settings (main() sets them from the command line): random-scale range as a fraction of the input
# width, and the share of mosaics with their per-image scale range.
SETTINGS = {'scale': (0.7, 1.6), 'mosaic': 0.0, 'mosaic_scale': (0.3, 0.6)}


# ---------------------------------------------------------------- data

def read_split(split):
    directory = os.path.join(DATASET, split)
    samples = []
    for file_name in sorted(os.listdir(os.path.join(directory, 'images'))):
        stem = os.path.splitext(file_name)[0]
        boxes = []
        with open(os.path.join(directory, 'labels', stem + '.txt')) as handle:
            for line in handle:
                parts = line.split()
                if len(parts) != 5:
                    continue
                class_id, cx, cy, w, h = int(parts[0]), *map(float, parts[1:])
                boxes.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, DATASET_TO_CLASS[class_id]])
        image = torch.from_numpy(np.asarray(Image.open(os.path.join(directory, 'images', file_name)).convert('RGB')).copy())
        samples.append((image.permute(2, 0, 1).contiguous(), np.array(boxes, dtype=np.float32).reshape(-1, 5)))
    return samples


def place(image_rgb, boxes, width, x0, y0, flip, canvas=None, region=None):
    """Resizes the (stretched) image to `width` × width·9/16 and pastes it at (x0, y0) of a black INPUT_SIZE²
    canvas (or of `canvas`, inside `region` = (x0, y0, x1, y1) of it: one mosaic tile).

    Bilinear with half-pixel centres and no antialias, as the runtime's letterbox, so training sees the same
    pixels. Boxes (normalised xyxy of the image) come back in canvas pixels, clipped; mostly-cut boxes are dropped.
    """
    height = width / SOURCE_ASPECT
    w, h = max(1, round(width)), max(1, round(height))
    resized = F.interpolate(image_rgb[None].float(), size=(h, w), mode='bilinear', align_corners=False)[0]
    if flip:
        resized = resized.flip(2)
    if canvas is None:
        canvas = torch.zeros(3, INPUT_SIZE, INPUT_SIZE)
    rx0, ry0, rx1, ry1 = region if region is not None else (0, 0, INPUT_SIZE, INPUT_SIZE)
    left, top = int(round(x0)), int(round(y0))
    sx0, sy0 = max(0, rx0 - left), max(0, ry0 - top)
    dx0, dy0 = max(rx0, left), max(ry0, top)
    cw, ch = min(w - sx0, rx1 - dx0), min(h - sy0, ry1 - dy0)
    if cw > 0 and ch > 0:
        canvas[:, dy0:dy0 + ch, dx0:dx0 + cw] = resized[:, sy0:sy0 + ch, sx0:sx0 + cw]
    out = boxes.copy()
    if flip:
        out[:, [0, 2]] = 1 - out[:, [2, 0]]
    out[:, [0, 2]] = out[:, [0, 2]] * w + left
    out[:, [1, 3]] = out[:, [1, 3]] * h + top
    area = (out[:, 2] - out[:, 0]) * (out[:, 3] - out[:, 1])
    out[:, [0, 2]] = out[:, [0, 2]].clip(max(rx0, left), min(rx1, left + w))
    out[:, [1, 3]] = out[:, [1, 3]].clip(max(ry0, top), min(ry1, top + h))
    kept_area = (out[:, 2] - out[:, 0]).clip(0) * (out[:, 3] - out[:, 1]).clip(0)
    keep = (kept_area >= 0.4 * np.maximum(area, 1e-6)) & (out[:, 2] - out[:, 0] >= 2) & (out[:, 3] - out[:, 1] >= 2)
    return canvas, out[keep]


def letterbox_plain(image_rgb, boxes):
    """The runtime's geometry: full width, centred vertically (1138×640 → 416×234, 91 px bands)."""
    height = round(INPUT_SIZE / SOURCE_ASPECT)
    return place(image_rgb, boxes, INPUT_SIZE, 0, (INPUT_SIZE - height) // 2, False)


def mosaic(samples, rng):
    """Four training images, one per quadrant, each zoomed out to 0.3–0.6 of the input width: a dense scene
    of small vehicles, as the far end of a pole camera's road (YOLOv4's mosaic, without the shared centre)."""
    canvas = torch.zeros(3, INPUT_SIZE, INPUT_SIZE)
    half = INPUT_SIZE // 2
    outs = []
    for quadrant, (image_rgb, boxes) in enumerate(samples):
        qx, qy = (quadrant % 2) * half, (quadrant // 2) * half
        width = INPUT_SIZE * math.exp(rng.uniform(math.log(SETTINGS['mosaic_scale'][0]), math.log(SETTINGS['mosaic_scale'][1])))
        height = width / SOURCE_ASPECT
        x0 = qx + rng.uniform(min(0, half - width), max(0, half - width))
        y0 = qy + rng.uniform(min(0, half - height), max(0, half - height))
        _, out = place(image_rgb, boxes, width, x0, y0, rng.random() < 0.5, canvas=canvas, region=(qx, qy, qx + half, qy + half))
        outs.append(out)
    return canvas, np.concatenate(outs, 0)


def augment(image_rgb, boxes, rng, pool=None):
    """Fixed street cameras: objects at other sizes and positions, day and night light, soft focus."""
    if SETTINGS['mosaic'] > 0 and pool is not None and rng.random() < SETTINGS['mosaic']:
        others = [pool[index] for index in rng.integers(0, len(pool), 3)]
        canvas, out = mosaic([(image_rgb, boxes), *others], rng)
    elif rng.random() < 0.25:
        canvas, out = letterbox_plain(image_rgb, boxes)
        if rng.random() < 0.5:
            canvas, out = canvas.flip(2), out.copy()
            out[:, [0, 2]] = INPUT_SIZE - out[:, [2, 0]]
    else:
        # Scale 0.7 (zoomed out: smaller vehicles, as a wide pole camera sees them) to 1.6 (zoomed in, cropped).
        width = INPUT_SIZE * math.exp(rng.uniform(math.log(SETTINGS['scale'][0]), math.log(SETTINGS['scale'][1])))
        height = width / SOURCE_ASPECT
        x0 = rng.uniform(min(0, INPUT_SIZE - width), max(0, INPUT_SIZE - width))
        y0 = rng.uniform(min(0, INPUT_SIZE - height), max(0, INPUT_SIZE - height))
        canvas, out = place(image_rgb, boxes, width, x0, y0, rng.random() < 0.5)
    content = canvas > 0
    pixels = canvas / 255.0
    # Photometric: contrast × brightness, then gamma (> 1 darkens: dusk and night frames).
    pixels = (pixels - 0.5) * rng.uniform(0.7, 1.3) + 0.5 + rng.uniform(-0.15, 0.15)
    pixels = pixels.clamp(0, 1) ** math.exp(rng.uniform(math.log(0.7), math.log(2.0)))
    if rng.random() < 0.3:
        # Gaussian blur, σ up to 1.2 px: out-of-focus or compressed cameras.
        sigma = rng.uniform(0.5, 1.2)
        kernel = torch.exp(-torch.arange(-2, 3, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
        kernel = kernel / kernel.sum()
        pixels = F.conv2d(pixels[:, None], kernel.view(1, 1, 1, 5), padding=(0, 2))
        pixels = F.conv2d(pixels, kernel.view(1, 1, 5, 1), padding=(2, 0))[:, 0]
    # Letterbox bands stay exactly the runtime's pad value (0).
    canvas = torch.where(content.any(0, keepdim=True), (pixels * 255).clamp(0, 255), torch.zeros(()))
    return canvas, out


def normalise(canvas_rgb):
    return (canvas_rgb.flip(0) - MEAN_BGR) / STD_BGR


# ---------------------------------------------------------------- head geometry

def grid_points():
    """Cell centres ((column + 0.5) · stride, as decode-nanodet.ts) and strides of every level, concatenated."""
    points, strides = [], []
    for stride in STRIDES:
        size = math.ceil(INPUT_SIZE / stride)
        ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
        points.append(torch.stack([(xs.flatten() + 0.5) * stride, (ys.flatten() + 0.5) * stride], 1))
        strides.append(torch.full((size * size,), float(stride)))
    return torch.cat(points).float(), torch.cat(strides)


POINTS, POINT_STRIDES = grid_points()
LEVEL_SIZES = [math.ceil(INPUT_SIZE / stride) ** 2 for stride in STRIDES]


def set_input_size(size):
    """Trains (and scores) on another square input: the grid of cell centres follows. The graph's own shapes
    must match (resize_graph.py writes such a base)."""
    global INPUT_SIZE, POINTS, POINT_STRIDES, LEVEL_SIZES
    INPUT_SIZE = size
    POINTS, POINT_STRIDES = grid_points()
    LEVEL_SIZES = [math.ceil(INPUT_SIZE / stride) ** 2 for stride in STRIDES]


def head_outputs(model, images):
    """Class logits [N, cells, C] and distance logits [N, cells, 4, 11] of all levels (before the graph's sigmoid)."""
    values = model(images, return_values=True)
    logits, distances = [], []
    for _, split in model.head_convs():
        class_part, distance_part = values[split['outputs'][0]], values[split['outputs'][1]]
        logits.append(class_part.flatten(2).transpose(1, 2))
        distances.append(distance_part.flatten(2).transpose(1, 2).reshape(images.shape[0], -1, 4, REG_MAX + 1))
    return torch.cat(logits, 1), torch.cat(distances, 1)


def distances_to_boxes(distance_logits):
    """Expectation over the 11 bins × stride, from the cell centre: what decode-nanodet.ts computes."""
    bins = torch.arange(REG_MAX + 1, dtype=torch.float32)
    distance = (distance_logits.softmax(-1) * bins).sum(-1) * POINT_STRIDES[:, None]
    return torch.stack([POINTS[:, 0] - distance[..., 0], POINTS[:, 1] - distance[..., 1],
                        POINTS[:, 0] + distance[..., 2], POINTS[:, 1] + distance[..., 3]], -1)


def box_iou(a, b):
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(-1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(-1)
    return inter / (area_a[:, None] + area_b[None, :] - inter + 1e-9)


def atss_assign(truths, top_k=9):
    """ATSS (Zhang et al. 2020) as NanoDet uses it: per level the k points nearest each box's centre are
    candidates; those whose anchor (5·stride square) IoU is ≥ mean + std of the candidates' and whose centre lies
    inside the box are positives. Returns, per point, the index of its box or -1.
    """
    points = POINTS.shape[0]
    assigned = torch.full((points,), -1, dtype=torch.long)
    if truths.shape[0] == 0:
        return assigned
    half = 2.5 * POINT_STRIDES
    anchors = torch.stack([POINTS[:, 0] - half, POINTS[:, 1] - half, POINTS[:, 0] + half, POINTS[:, 1] + half], 1)
    ious = box_iou(anchors, truths)  # [points, boxes]
    centres = (truths[:, :2] + truths[:, 2:]) / 2
    distance = torch.cdist(POINTS, centres)
    candidates = []
    start = 0
    for size in LEVEL_SIZES:
        k = min(top_k, size)
        candidates.append(distance[start:start + size].topk(k, dim=0, largest=False).indices + start)
        start += size
    candidates = torch.cat(candidates, 0)  # [levels·k, boxes]
    candidate_ious = ious.gather(0, candidates)
    threshold = candidate_ious.mean(0) + candidate_ious.std(0)
    best_iou = torch.full((points,), -1.0)
    for box in range(truths.shape[0]):
        index = candidates[:, box]
        inside = ((POINTS[index, 0] > truths[box, 0]) & (POINTS[index, 0] < truths[box, 2])
                  & (POINTS[index, 1] > truths[box, 1]) & (POINTS[index, 1] < truths[box, 3]))
        positive = index[(candidate_ious[:, box] >= threshold[box]) & inside]
        better = ious[positive, box] > best_iou[positive]
        assigned[positive[better]] = box
        best_iou[positive[better]] = ious[positive[better], box]
    return assigned


def giou_loss(pred, target):
    lt = torch.max(pred[:, :2], target[:, :2])
    rb = torch.min(pred[:, 2:], target[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_p = (pred[:, 2:] - pred[:, :2]).clamp(min=0).prod(-1)
    area_t = (target[:, 2:] - target[:, :2]).clamp(min=0).prod(-1)
    union = area_p + area_t - inter + 1e-7
    enclose = (torch.max(pred[:, 2:], target[:, 2:]) - torch.min(pred[:, :2], target[:, :2])).clamp(min=0).prod(-1) + 1e-7
    return 1 - (inter / union - (enclose - union) / enclose)


def gfl_loss(class_logits, distance_logits, batch_truths):
    """NanoDet's losses: quality focal loss (β = 2) on sigmoid scores against IoU soft targets, distribution
    focal loss (weight 0.25) on the distance bins and GIoU (weight 2) on boxes, the last two weighted by the
    predicted score as in GFL. Normalised by the number of positives.
    """
    boxes = distances_to_boxes(distance_logits)
    class_count = class_logits.shape[-1]
    trained = torch.ones(class_count, dtype=torch.bool)
    trained[MASKED_CLASSES] = False
    qfl_total = class_logits.new_zeros(())
    box_total, dfl_total, weight_total, positives = class_logits.new_zeros(()), class_logits.new_zeros(()), 0.0, 0
    for image in range(class_logits.shape[0]):
        truths = torch.from_numpy(batch_truths[image])
        assigned = atss_assign(truths[:, :4])
        positive = (assigned >= 0).nonzero().flatten()
        targets = torch.zeros_like(class_logits[image])
        if positive.numel() > 0:
            truth = truths[assigned[positive]]
            predicted = boxes[image, positive]
            iou = box_iou(predicted.detach(), truth[:, :4]).diagonal().clamp(min=0)
            targets[positive, truth[:, 4].long()] = iou
            weight = class_logits[image, positive].detach().sigmoid()[:, trained].max(1).values
            box_total = box_total + (giou_loss(predicted, truth[:, :4]) * weight).sum()
            # DFL: the true distance (in strides) split between its two neighbouring bins.
            stride = POINT_STRIDES[positive][:, None]
            point = POINTS[positive]
            distance = torch.stack([point[:, 0] - truth[:, 0], point[:, 1] - truth[:, 1],
                                    truth[:, 2] - point[:, 0], truth[:, 3] - point[:, 1]], 1) / stride
            distance = distance.clamp(0, REG_MAX - 0.01)
            left = distance.floor().long()
            right_weight = distance - left
            log_probabilities = distance_logits[image, positive].log_softmax(-1)
            dfl = -(log_probabilities.gather(-1, left[..., None])[..., 0] * (1 - right_weight)
                    + log_probabilities.gather(-1, (left + 1)[..., None])[..., 0] * right_weight)
            dfl_total = dfl_total + (dfl.mean(1) * weight).sum()
            weight_total += float(weight.sum())
            positives += positive.numel()
        logits = class_logits[image][:, trained]
        target = targets[:, trained]
        qfl = F.binary_cross_entropy_with_logits(logits, target, reduction='none') * (logits.sigmoid() - target).abs().pow(2)
        qfl_total = qfl_total + qfl.sum()
    normaliser = max(positives, 1)
    qfl_loss = qfl_total / normaliser
    box_loss = 2.0 * box_total / max(weight_total, 1e-6)
    dfl_loss = 0.25 * dfl_total / max(weight_total, 1e-6)
    return qfl_loss + box_loss + dfl_loss, {'qfl': float(qfl_loss), 'giou': float(box_loss), 'dfl': float(dfl_loss), 'positives': positives}


# ---------------------------------------------------------------- validation

def nms(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(int(best))
        if order.numel() == 1:
            break
        overlaps = box_iou(boxes[best][None], boxes[order[1:]])[0]
        order = order[1:][overlaps <= iou_threshold]
    return keep


def detect(model, images, score_threshold=0.05, iou_threshold=0.5):
    """Per image: (boxes, scores, classes), best class per cell, class-wise NMS, like the runtime."""
    with torch.no_grad():
        class_logits, distance_logits = head_outputs(model, images)
    boxes_all = distances_to_boxes(distance_logits)
    results = []
    for image in range(images.shape[0]):
        scores, classes = class_logits[image].sigmoid().max(1)
        keep = (scores >= score_threshold).nonzero().flatten()
        keep = keep[scores[keep].argsort(descending=True)[:1000]]
        boxes, scores, classes = boxes_all[image, keep].clamp(0, INPUT_SIZE), scores[keep], classes[keep]
        kept = []
        for class_id in classes.unique():
            members = (classes == class_id).nonzero().flatten()
            kept += [int(members[index]) for index in nms(boxes[members], scores[members], iou_threshold)]
        kept = torch.tensor(sorted(kept), dtype=torch.long)
        results.append((boxes[kept], scores[kept], classes[kept]))
    return results


def average_precision(ranked_true_positive, truths):
    if truths == 0:
        return float('nan')
    true_positive = np.cumsum(ranked_true_positive)
    recall = true_positive / truths
    precision = true_positive / np.arange(1, len(ranked_true_positive) + 1)
    # All-point interpolation (VOC 2010+), as packages/vision/src/evaluation.ts.
    precision = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    previous_recall, ap = 0.0, 0.0
    for r, p in zip(recall, precision):
        ap += (r - previous_recall) * p
        previous_recall = r
    return ap


def evaluate(model, samples, operating_score=0.35):
    """Per class AP@0.5, and precision/recall at the runtime's operating score, on the plain letterbox."""
    model.eval()
    per_class = {index: {'ranked': [], 'truths': 0, 'tp': 0, 'fp': 0} for index in range(len(CLASS_NAMES))}
    for start in range(0, len(samples), 8):
        batch = [letterbox_plain(image, boxes) for image, boxes in samples[start:start + 8]]
        images = torch.stack([normalise(canvas) for canvas, _ in batch])
        for (boxes, scores, classes), (_, truths) in zip(detect(model, images), batch):
            truths = torch.from_numpy(truths)
            for class_id, stats in per_class.items():
                truth_boxes = truths[truths[:, 4] == class_id, :4]
                stats['truths'] += truth_boxes.shape[0]
                mine = (classes == class_id).nonzero().flatten()
                mine = mine[scores[mine].argsort(descending=True)]
                matched = torch.zeros(truth_boxes.shape[0], dtype=torch.bool)
                for index in mine:
                    true_positive = False
                    if truth_boxes.shape[0] > 0:
                        ious = box_iou(boxes[index][None], truth_boxes)[0]
                        ious[matched] = -1
                        best = int(ious.argmax())
                        if ious[best] >= 0.5:
                            matched[best] = True
                            true_positive = True
                    stats['ranked'].append((float(scores[index]), true_positive))
                    if float(scores[index]) >= operating_score:
                        stats['tp' if true_positive else 'fp'] += 1
    report = {}
    for class_id, stats in per_class.items():
        if stats['truths'] == 0:
            continue
        ranked = sorted(stats['ranked'], key=lambda entry: -entry[0])
        report[CLASS_NAMES[class_id]] = {
            'truths': stats['truths'],
            'ap50': round(average_precision(np.array([tp for _, tp in ranked], dtype=np.float64), stats['truths']), 4),
            'precision': round(stats['tp'] / max(stats['tp'] + stats['fp'], 1), 4),
            'recall': round(stats['tp'] / stats['truths'], 4),
        }
    report['meanAp50'] = round(float(np.mean([entry['ap50'] for entry in report.values()])), 4)
    return report


# ---------------------------------------------------------------- training

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=24)
    parser.add_argument('--seed', type=int, default=8)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--lr', type=float, default=2e-4)
    parser.add_argument('--base', default=os.path.join(HERE, '.work', 'nanodet-416'))
    parser.add_argument('--out', default=os.path.join(HERE, '.work', 'nanodet-416-vn'))
    parser.add_argument('--input-size', type=int, default=INPUT_SIZE)
    parser.add_argument('--scale-min', type=float, default=SETTINGS['scale'][0])
    parser.add_argument('--scale-max', type=float, default=SETTINGS['scale'][1])
    parser.add_argument('--mosaic', type=float, default=SETTINGS['mosaic'])
    # Smoke runs only (proves the loop in a minute): the first N train and valid images.
    parser.add_argument('--limit', type=int, default=0)
    args = parser.parse_args()

    set_input_size(args.input_size)
    SETTINGS['scale'] = (args.scale_min, args.scale_max)
    SETTINGS['mosaic'] = args.mosaic
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)
    started = time.time()

    model = GraphModule(args.base)
    model.slice_classes(COCO_IDS)
    train, valid = read_split('train'), read_split('valid')
    if args.limit:
        train, valid = train[:args.limit], valid[:args.limit]
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, 'train-log.jsonl')
    log = open(log_path, 'w')

    def record(entry):
        entry['elapsedS'] = round(time.time() - started, 1)
        print(json.dumps(entry), flush=True)
        log.write(json.dumps(entry) + '\n')
        log.flush()

    baseline = evaluate(model, valid)
    record({'epoch': 0, 'valid': baseline})
    parameters = [parameter for parameter in model.parameters()]
    optimiser = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=0.05)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = min(100, total_steps // 5)

    def learning_rate(step):
        if step < warmup_steps:
            return args.lr * (0.1 + 0.9 * step / warmup_steps)
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))

    best = {'epoch': 0, 'meanAp50': baseline['meanAp50'], 'valid': baseline}
    model.save_dump(args.out, notes=notes(args, best, started))
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = rng.permutation(len(train))
        sums = {'loss': 0.0, 'qfl': 0.0, 'giou': 0.0, 'dfl': 0.0}
        for batch_start in range(0, len(order), args.batch):
            batch = [augment(*train[index], rng, train) for index in order[batch_start:batch_start + args.batch]]
            images = torch.stack([normalise(canvas) for canvas, _ in batch])
            class_logits, distance_logits = head_outputs(model, images)
            loss, parts = gfl_loss(class_logits, distance_logits, [boxes for _, boxes in batch])
            for group in optimiser.param_groups:
                group['lr'] = learning_rate(step)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 35.0)
            optimiser.step()
            step += 1
            sums['loss'] += float(loss)
            for key in ('qfl', 'giou', 'dfl'):
                sums[key] += parts[key]
        report = evaluate(model, valid)
        record({'epoch': epoch, 'lr': round(learning_rate(step), 6), **{key: round(value / steps_per_epoch, 4) for key, value in sums.items()}, 'valid': report})
        if report['meanAp50'] > best['meanAp50']:
            best = {'epoch': epoch, 'meanAp50': report['meanAp50'], 'valid': report}
            model.save_dump(args.out, notes=notes(args, best, started))
    final = notes(args, best, started)
    with open(os.path.join(args.out, 'graph.json')) as handle:
        graph = json.load(handle)
    graph['notes'] = final
    with open(os.path.join(args.out, 'graph.json'), 'w') as handle:
        json.dump(graph, handle)
        handle.write('\n')
    record({'done': True, 'bestEpoch': best['epoch'], 'bestValid': best['valid'], 'wallS': round(time.time() - started, 1)})


def notes(args, best, started):
    return {
        'labels': CLASS_NAMES,
        'cocoRows': COCO_IDS,
        'maskedClasses': [CLASS_NAMES[index] for index in MASKED_CLASSES],
        'seed': args.seed,
        'epochs': args.epochs,
        'bestEpoch': best['epoch'],
        'bestValid': best['valid'],
        'threads': args.threads,
        'batch': args.batch,
        'lr': args.lr,
        'inputSize': args.input_size,
        'scale': [args.scale_min, args.scale_max],
        'mosaic': args.mosaic,
        'trainSeconds': round(time.time() - started, 1),
        'torch': torch.__version__,
    }


if __name__ == '__main__':
    main()
