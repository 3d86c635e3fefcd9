import type { Logger } from 'pino';
import type { CameraConfig } from '@ioc/schemas';
import { TRAFFIC_COCO_CLASS_IDS, violationClassName, type SignalState } from '@ioc/vision';
import { CameraAnalyzer, type CountingLine, type LineCounts } from './camera-analyzer';
import { FfmpegFrameSource } from './ffmpeg-source';
import { OnnxDetector, type DetectorModelSpec } from './onnx-detector';
import { ImageSignalReader } from './signal-groups';
import { CameraViolationRules } from './violations-analyzer';

export interface AnalyzeCameraVideoOptions {
  videoPath: string;
  /** The camera's lines, zones, stop lines, signal groups, calibration (its source is ignored: the file is read). */
  camera: CameraConfig;
  model: DetectorModelSpec;
  /** Analyse at this rate instead of every frame; only without image signal groups (lamps need every frame). */
  analysisFps?: number | undefined;
  threads?: number;
  scoreThreshold?: number;
  logger: Logger;
}

/** One violation as `ioc analyze --camera` prints it. `plate` is filled by plate reading (later work). */
export interface ViolationRecord {
  rule: string;
  /** 0-based decode index of the frame the violation is dated to (red light: the stop-line crossing). */
  frame: number;
  trackId: number;
  class: string;
  plate: string | null;
  ruleId: string;
  speedKmh?: number;
  advisory?: boolean;
}

export interface AnalyzeCameraVideoResult {
  frames: number | undefined;
  analysedFrames: number;
  /** Counts of the camera's first line by traffic class and direction. */
  counts: LineCounts;
  countsByLine: Record<string, LineCounts>;
  violations: ViolationRecord[];
  /** The signal timeline per image group: each phase from its first frame (decode order). */
  signal: Array<{ group: string; fromFrame: number; state: SignalState }>;
  model: string;
  timing: { inferenceMsMedian: number; inferenceMsP90: number; wallSeconds: number };
}

/**
 * The full camera pipeline on a file: detector, tracker, counting lines, signal lamps and every violation rule
 * the camera config asks for. Frame numbers are decode indices: every frame is analysed when the camera reads its
 * signals from the image; at a lower analysis rate each analysed frame is mapped back to the decode index
 * nearest its time (exact for constant-rate files).
 */
export async function analyzeCameraVideo(options: AnalyzeCameraVideoOptions): Promise<AnalyzeCameraVideoResult> {
  const startedMs = performance.now();
  const { camera } = options;
  const readsLamps = camera.signalGroups.some((group) => group.source === 'image');
  const analysisFps = readsLamps ? undefined : options.analysisFps;
  const source = new FfmpegFrameSource({ url: options.videoPath, analysisFps, logger: options.logger });
  const info = await source.open();
  const sourceFps = info.framesPerSecond ?? 25;
  const size = source.frameSize;
  const lines: CountingLine[] = camera.lines.map((line) => ({
    id: line.id,
    start: { x: line.points[0][0] * size.widthPixels, y: line.points[0][1] * size.heightPixels },
    end: { x: line.points[1][0] * size.widthPixels, y: line.points[1][1] * size.heightPixels },
  }));
  const detector = await OnnxDetector.load(options.model, {
    threads: options.threads ?? 1,
    classIds: TRAFFIC_COCO_CLASS_IDS,
    ...(options.scoreThreshold === undefined ? {} : { scoreThreshold: options.scoreThreshold }),
    logger: options.logger,
  });
  const analyzer = new CameraAnalyzer({ lines, analysisFps: analysisFps ?? sourceFps, anchor: camera.anchor });
  const rules = new CameraViolationRules(camera, size);
  const signals = new ImageSignalReader(camera.signalGroups, size);
  const violations: ViolationRecord[] = [];
  const inferenceMs: number[] = [];
  let analysedFrames = 0;
  try {
    for await (const frame of source.frames()) {
      const frameIndex = analysisFps === undefined ? frame.index : Math.round((frame.timestampMs / 1000) * sourceFps);
      const signalStates = signals.update(frame, frameIndex, frame.timestampMs);
      const result = await detector.detect(frame);
      inferenceMs.push(result.inferenceMs);
      const { tracked } = analyzer.update(result.detections, frame.timestampMs);
      for (const violation of rules.update(tracked, { frameIndex, timestampMs: frame.timestampMs, signalStates })) {
        violations.push({
          rule: violation.rule,
          frame: violation.frameIndex,
          trackId: violation.trackId,
          class: violationClassName(violation.classId),
          plate: null,
          ruleId: violation.ruleId,
          ...(violation.speedKmh === undefined ? {} : { speedKmh: violation.speedKmh, advisory: violation.advisory ?? true }),
        });
      }
      analysedFrames += 1;
    }
  } finally {
    source.close();
    await detector.close();
  }
  const countsByLine = Object.fromEntries(analyzer.counts());
  const firstLine = lines[0]?.id;
  inferenceMs.sort((left, right) => left - right);
  const percentile = (share: number): number => inferenceMs[Math.min(inferenceMs.length - 1, Math.floor(share * inferenceMs.length))] ?? 0;
  return {
    frames: info.frameCount,
    analysedFrames,
    counts: firstLine === undefined ? {} : (countsByLine[firstLine] ?? {}),
    countsByLine,
    violations: violations.sort((left, right) => left.frame - right.frame),
    signal: signals.timelines(),
    model: options.model.name,
    timing: { inferenceMsMedian: percentile(0.5), inferenceMsP90: percentile(0.9), wallSeconds: (performance.now() - startedMs) / 1000 },
  };
}
