import type { Logger } from 'pino';
import { TRAFFIC_COCO_CLASS_IDS, type Anchor } from '@ioc/vision';
import { CameraAnalyzer, type CountingLine, type LineCounts } from './camera-analyzer';
import { FfmpegFrameSource } from './ffmpeg-source';
import { OnnxDetector, type DetectorModelSpec } from './onnx-detector';

export interface AnalyzeVideoOptions {
  videoPath: string;
  lines: readonly CountingLine[];
  analysisFps?: number | undefined;
  model: DetectorModelSpec;
  threads?: number;
  anchor?: Anchor;
  minimumCrossingFrames?: number;
  scoreThreshold?: number;
  logger: Logger;
}

export interface AnalyzeVideoResult {
  /** Frames in the file (as the container reports them). */
  frames: number | undefined;
  analysedFrames: number;
  /** Counts of the first line by traffic class and direction (the CLI contract). */
  counts: LineCounts;
  /** Counts per line id when several lines are given. */
  countsByLine: Record<string, LineCounts>;
  model: string;
  timing: { inferenceMsMedian: number; inferenceMsP90: number; wallSeconds: number };
}

/** Analyses a video file start to end as fast as the machine allows (what `ioc analyze` prints). */
export async function analyzeVideo(options: AnalyzeVideoOptions): Promise<AnalyzeVideoResult> {
  const startedMs = performance.now();
  const source = new FfmpegFrameSource({ url: options.videoPath, analysisFps: options.analysisFps, logger: options.logger });
  const info = await source.open();
  const analysisFps = options.analysisFps ?? info.framesPerSecond ?? 25;
  const detector = await OnnxDetector.load(options.model, {
    threads: options.threads ?? 1,
    classIds: TRAFFIC_COCO_CLASS_IDS,
    ...(options.scoreThreshold === undefined ? {} : { scoreThreshold: options.scoreThreshold }),
    logger: options.logger,
  });
  const analyzer = new CameraAnalyzer({
    lines: options.lines,
    analysisFps,
    ...(options.anchor ? { anchor: options.anchor } : {}),
    ...(options.minimumCrossingFrames === undefined ? {} : { minimumCrossingFrames: options.minimumCrossingFrames }),
  });
  const inferenceMs: number[] = [];
  let analysedFrames = 0;
  try {
    for await (const frame of source.frames()) {
      const result = await detector.detect(frame);
      inferenceMs.push(result.inferenceMs);
      analyzer.update(result.detections, frame.timestampMs);
      analysedFrames += 1;
    }
  } finally {
    source.close();
    await detector.close();
  }
  const countsByLine = Object.fromEntries(analyzer.counts());
  const firstLine = options.lines[0]?.id;
  inferenceMs.sort((left, right) => left - right);
  const percentile = (share: number): number => inferenceMs[Math.min(inferenceMs.length - 1, Math.floor(share * inferenceMs.length))] ?? 0;
  return {
    frames: info.frameCount,
    analysedFrames,
    counts: firstLine === undefined ? {} : (countsByLine[firstLine] ?? {}),
    countsByLine,
    model: options.model.name,
    timing: { inferenceMsMedian: percentile(0.5), inferenceMsP90: percentile(0.9), wallSeconds: (performance.now() - startedMs) / 1000 },
  };
}
