import type { Logger } from 'pino';
import type { Alert, CameraConfig, ViolationRecord } from '@ioc/schemas';
import { violationClassName, violationToAlert, type Box, type Detections, type SignalState, type Violation } from '@ioc/vision';
import type { BusPublisher } from '../ports';
import { sightingPlateText, type PlateSightingSink } from '../plates/plate-sightings';
import { evidenceFrameJpeg, ruleGeometryPixels, vehicleCropJpeg, type RuleGeometry } from './evidence-images';
import type { Frame } from './ffmpeg-source';
import { FrameRingBuffer, type RingEntry } from './frame-ring-buffer';
import { H264ClipEncoder } from './h264-clip-encoder';
import { ImageSignalReader } from './signal-groups';
import { CameraViolationRules } from './violations-analyzer';

/** How much evidence each violation gets (the config's `evidence` section). */
export interface EvidenceSettings {
  clipSecondsBefore: number;
  clipSecondsAfter: number;
  frameOffsetSeconds: number;
  ringBufferMegabytes: number;
  maxPendingViolations: number;
}

/** Where a violation goes: the store's `ViolationRepository` (structural, so ingest builds on its own). */
export interface ViolationSink {
  record(violation: { record: ViolationRecord; alert: Alert; sessionId: string; frameIndex: number }): Promise<boolean>;
}

/** Write-once files named by sha256: the store's `HashedFileStore`. */
export interface EvidenceFileSink {
  put(bytes: Uint8Array, extension: string): Promise<string>;
}

/** Reads a plate inside a vehicle's box: the `PlateReader` of ingest/src/plates (structural, so tests can choose). */
export interface PlateSource {
  read(frame: Frame, box: readonly [number, number, number, number], options: { boxKind: 'vehicle' }): Promise<{ text: string; normalised: string | null; confidence: number; box: [number, number, number, number] } | undefined>;
}

/** What a pipeline needs to record violations live; absent: the camera only counts. */
export interface LiveViolationOptions {
  sink: ViolationSink;
  files: EvidenceFileSink;
  settings: EvidenceSettings;
  bus?: BusPublisher | undefined;
  /** Without one, plate fields stay null and there is no plate crop (never a guessed plate). */
  plates?: PlateSource | undefined;
  /** Where each violator's plate read also goes as a sighting (the trace); absent: violations only. */
  sightings?: PlateSightingSink | undefined;
  /** Signal groups fed by a controller (`source: controller`): the `SignalControllerSource`. Without it they are `unknown`. */
  signalFeeds?: { feedFor(cameraId: string): { stateAt(groupId: string, timeMs: number): SignalState } | undefined } | undefined;
  ffmpegPath?: string;
}

/** Which frames one violation's evidence uses, by frame index. */
export interface EvidencePlan {
  atIndex: number;
  beforeIndex: number;
  afterIndex: number;
  clipFromIndex: number;
  /** The evidence is complete once this frame has arrived. */
  clipToIndex: number;
}

/**
 * The frames of one violation: `at` is the frame it is dated to (red light: the stop-line crossing), `before` and
 * `after` one offset either side, the clip from `clipSecondsBefore` before to `clipSecondsAfter` after — and
 * never ending before the rule decided, so the clip shows what the rule saw.
 */
export function planEvidence(violation: Pick<Violation, 'frameIndex' | 'decidedAtFrameIndex'>, framesPerSecond: number, settings: Pick<EvidenceSettings, 'clipSecondsBefore' | 'clipSecondsAfter' | 'frameOffsetSeconds'>): EvidencePlan {
  const atIndex = violation.frameIndex;
  const offsetFrames = Math.max(1, Math.round(settings.frameOffsetSeconds * framesPerSecond));
  const afterIndex = atIndex + offsetFrames;
  return {
    atIndex,
    beforeIndex: Math.max(0, atIndex - offsetFrames),
    afterIndex,
    clipFromIndex: Math.max(0, atIndex - Math.round(settings.clipSecondsBefore * framesPerSecond)),
    clipToIndex: Math.max(atIndex + Math.round(settings.clipSecondsAfter * framesPerSecond), afterIndex, violation.decidedAtFrameIndex),
  };
}

/**
 * Keys seen recently, at most `capacity` (the oldest forgotten first): once per track and rule without a set
 * that grows for as long as the camera runs. Rules already emit once per track; this guards the store against
 * a rule rebuilt after a frame-size change.
 */
export class RecentKeys {
  readonly #capacity: number;
  readonly #keys = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** True when the key is new (and remembers it). */
  addIfNew(key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) this.#keys.delete(this.#keys.values().next().value as string);
    return true;
  }
}

/** A plate read in a Vietnamese shape at least this confidently ends the search over the stills. */
const CONFIDENT_PLATE = 0.9;

interface BufferedFrame extends RingEntry {
  frame: Frame;
  arrivedAtMs: number;
  signalStates: Record<string, SignalState>;
  /** The tracked detections, when this frame was analysed (live sources skip frames under load). */
  tracked: Detections | undefined;
}

interface PendingEvidence {
  violation: Violation;
  plan: EvidencePlan;
  encoder: H264ClipEncoder | undefined;
  lastWrittenIndex: number;
  decidedAtMs: number;
  /** When the evidence started being built (its frames all in): the build time is measured from here. */
  buildStartedAtMs: number;
}

/** The box of one track in a frame's tracked detections, with the others for context. */
function boxesOf(tracked: Detections | undefined, trackId: number): { box: Box | undefined; confidence: number | undefined; others: Box[] } {
  const others: Box[] = [];
  let box: Box | undefined;
  let confidence: number | undefined;
  if (!tracked) return { box, confidence, others };
  for (let index = 0; index < tracked.length; index += 1) {
    const candidate: Box = [tracked.xyxy[index * 4] as number, tracked.xyxy[index * 4 + 1] as number, tracked.xyxy[index * 4 + 2] as number, tracked.xyxy[index * 4 + 3] as number];
    if (tracked.trackId?.[index] === trackId) {
      box = candidate;
      confidence = tracked.confidence[index] as number;
    } else others.push(candidate);
  }
  return { box, confidence, others };
}

export interface ViolationRecorderOptions extends LiveViolationOptions {
  camera: CameraConfig;
  logger: Logger;
  /** Told apart from earlier runs of this camera (track ids start again at 1); default: the start time. */
  sessionId?: string;
}

/**
 * The camera's violation rules on the live pipeline, and the evidence of each violation. Every delivered frame
 * goes through `observeFrame` (signal lamps, the ring buffer, clips being recorded); every analysed frame
 * through `analyse` (the rules). A violation waits for its "after" frames, then its images and H.264 clip are
 * written by hash, the record and its Alert stored once, and the Alert announced on the bus.
 */
export class ViolationRecorder {
  readonly sessionId: string;
  readonly #options: ViolationRecorderOptions;
  readonly #log: Logger;
  readonly #seen = new RecentKeys(10_000);
  readonly #pending = new Set<PendingEvidence>();
  readonly #finishing = new Set<Promise<void>>();
  #rules: CameraViolationRules | undefined;
  #signals: ImageSignalReader | undefined;
  #ring: FrameRingBuffer<BufferedFrame> | undefined;
  #geometry = new Map<string, RuleGeometry>();
  #sizeKey = '';
  /** Frame indices restart at 0 when the source reconnects; this keeps the recorder's own index increasing. */
  #indexOffset = 0;
  #lastSourceIndex = -1;
  #recorded = 0;
  readonly #controller: { stateAt(groupId: string, timeMs: number): SignalState } | undefined;
  readonly #controllerGroupIds: string[];
  #evidenceMs: number[] = [];

  constructor(options: ViolationRecorderOptions) {
    this.#options = options;
    this.sessionId = options.sessionId ?? Date.now().toString(36);
    this.#log = options.logger.child({ module: 'violation-recorder', cameraId: options.camera.id });
    this.#controllerGroupIds = options.camera.signalGroups.filter((group) => group.source === 'controller').map((group) => group.id);
    this.#controller = options.signalFeeds?.feedFor(options.camera.id);
  }

  /** True when the camera config asks for any violation rule. */
  static wanted(camera: CameraConfig): boolean {
    return camera.stopLines.length > 0 || camera.lanes.length > 0 || camera.wrongWayZones.length > 0 || camera.speeding !== undefined || camera.zones.some((zone) => zone.kind === 'noStopping' && zone.maxDwellSeconds !== undefined);
  }

  /** Violations stored by this recorder, and the median time to build one's evidence (its frames all in) and store it. */
  get stats(): { recorded: number; pending: number; evidenceMsMedian: number } {
    const sorted = [...this.#evidenceMs].sort((left, right) => left - right);
    return { recorded: this.#recorded, pending: this.#pending.size + this.#finishing.size, evidenceMsMedian: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  }

  get #framesPerSecond(): number {
    return this.#options.camera.analysisFps;
  }

  /** Every delivered frame, in order. */
  observeFrame(frame: Frame, arrivedAtMs = Date.now()): void {
    this.#prepare(frame);
    if (frame.index <= this.#lastSourceIndex) {
      // The source started again: what is pending gets the frames it has.
      this.#indexOffset += this.#lastSourceIndex + 1;
      this.finishPending();
    }
    this.#lastSourceIndex = frame.index;
    const index = frame.index + this.#indexOffset;
    const signalStates = (this.#signals as ImageSignalReader).update(frame, index, frame.timestampMs);
    // Controller states are wall-clock facts: the state when the frame arrived.
    for (const groupId of this.#controllerGroupIds) signalStates[groupId] = this.#controller?.stateAt(groupId, arrivedAtMs) ?? 'unknown';
    const entry: BufferedFrame = { index, byteLength: frame.rgb.byteLength, frame, arrivedAtMs, signalStates, tracked: undefined };
    (this.#ring as FrameRingBuffer<BufferedFrame>).push(entry);
    for (const job of [...this.#pending]) this.#feed(job, entry);
  }

  /** An analysed frame (already passed to `observeFrame`) with its tracked detections. */
  analyse(frame: Frame, tracked: Detections): void {
    const entry = this.#entryOf(frame);
    if (!entry || !this.#rules) return;
    entry.tracked = tracked;
    const violations = this.#rules.update(tracked, { frameIndex: entry.index, timestampMs: frame.timestampMs, signalStates: entry.signalStates });
    for (const violation of violations) {
      if (!this.#seen.addIfNew(`${violation.rule}:${violation.ruleId}:${violation.trackId}`)) continue;
      this.#start(violation, entry);
    }
  }

  /** Finishes every pending violation now with the frames it has (source ended, shutting down). */
  finishPending(): void {
    for (const job of [...this.#pending]) this.#finish(job);
  }

  async close(): Promise<void> {
    this.finishPending();
    while (this.#finishing.size > 0) await Promise.all([...this.#finishing]);
  }

  #prepare(frame: Frame): void {
    const key = `${frame.widthPixels}x${frame.heightPixels}`;
    if (key === this.#sizeKey) return;
    this.finishPending();
    const camera = this.#options.camera;
    const size = { widthPixels: frame.widthPixels, heightPixels: frame.heightPixels };
    this.#sizeKey = key;
    this.#rules = new CameraViolationRules(camera, size);
    this.#signals = new ImageSignalReader(camera.signalGroups, size);
    const frameBytes = frame.widthPixels * frame.heightPixels * 3;
    const { settings } = this.#options;
    // Enough for the clip's lead-in and the "before" frame, plus a second for rules that decide late.
    const framesWanted = Math.ceil((Math.max(settings.clipSecondsBefore, settings.frameOffsetSeconds) + 1) * this.#framesPerSecond) + 1;
    this.#ring = new FrameRingBuffer({ maxFrames: framesWanted, maxBytes: Math.max(frameBytes, settings.ringBufferMegabytes * 1024 * 1024) });
    this.#geometry.clear();
    if (this.#lastSourceIndex >= 0) this.#indexOffset += this.#lastSourceIndex + 1;
    this.#lastSourceIndex = -1;
  }

  #entryOf(frame: Frame): BufferedFrame | undefined {
    const ring = this.#ring;
    if (!ring) return undefined;
    const entry = ring.get(frame.index + this.#indexOffset);
    return entry?.frame === frame ? entry : undefined;
  }

  #start(violation: Violation, decidedEntry: BufferedFrame): void {
    const ring = this.#ring as FrameRingBuffer<BufferedFrame>;
    const plan = planEvidence(violation, this.#framesPerSecond, this.#options.settings);
    if (this.#pending.size >= this.#options.settings.maxPendingViolations) {
      const oldest = this.#pending.values().next().value as PendingEvidence;
      this.#log.warn({ pending: this.#pending.size }, 'too many violations waiting for their clips; finishing the oldest early');
      this.#finish(oldest);
    }
    const newest = ring.newest as BufferedFrame;
    let encoder: H264ClipEncoder | undefined;
    try {
      encoder = new H264ClipEncoder({ widthPixels: newest.frame.widthPixels, heightPixels: newest.frame.heightPixels, framesPerSecond: this.#framesPerSecond, maxQueuedFrames: ring.maxFrames + 16, ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}) });
    } catch (err) {
      this.#log.error({ err }, 'clip encoder could not start; the violation is recorded without a clip');
    }
    const job: PendingEvidence = { violation, plan, encoder, lastWrittenIndex: plan.clipFromIndex - 1, decidedAtMs: decidedEntry.arrivedAtMs, buildStartedAtMs: 0 };
    this.#pending.add(job);
    for (const entry of ring.range(plan.clipFromIndex, newest.index)) this.#feed(job, entry);
  }

  #feed(job: PendingEvidence, entry: BufferedFrame): void {
    if (entry.index <= job.lastWrittenIndex) return;
    if (entry.index <= job.plan.clipToIndex) {
      job.encoder?.write(entry.frame.rgb);
      job.lastWrittenIndex = entry.index;
    }
    if (entry.index >= job.plan.clipToIndex) this.#finish(job);
  }

  #finish(job: PendingEvidence): void {
    if (!this.#pending.delete(job)) return;
    job.buildStartedAtMs = performance.now();
    // Take the still frames now: the ring moves on while the clip is encoded.
    const ring = this.#ring as FrameRingBuffer<BufferedFrame>;
    const stills = { before: ring.nearest(job.plan.beforeIndex), at: ring.get(job.plan.atIndex) ?? ring.nearest(job.plan.atIndex), after: ring.nearest(job.plan.afterIndex) };
    const promise = this.#complete(job, stills).catch((err: unknown) => this.#log.error({ err, trackId: job.violation.trackId, rule: job.violation.rule }, 'violation could not be recorded'));
    this.#finishing.add(promise);
    void promise.finally(() => this.#finishing.delete(promise));
  }

  async #complete(job: PendingEvidence, stills: { before: BufferedFrame | undefined; at: BufferedFrame | undefined; after: BufferedFrame | undefined }): Promise<void> {
    const { violation } = job;
    const { camera, files } = this.#options;
    const evidence: Alert['evidence'] & object = [];
    // A file that cannot be made (encoder failed) or written is logged and left out; the record is still stored.
    const store = async (kind: NonNullable<Alert['evidence']>[number]['kind'], making: Uint8Array | undefined | Promise<Uint8Array | undefined>, extension: string, mediaType: string) => {
      try {
        const bytes = await making;
        if (bytes === undefined || bytes.byteLength === 0) return;
        evidence.push({ kind, sha256: await files.put(bytes, extension), mediaType });
      } catch (err) {
        this.#log.error({ err, kind }, 'evidence file not written');
      }
    };
    // The clip's tail encodes in its ffmpeg process while the stills are drawn and encoded here.
    const clip = job.encoder && job.encoder.frames > 0 ? job.encoder.finish() : undefined;
    clip?.catch(() => undefined);
    if (!clip) await job.encoder?.abort();
    const geometry = this.#geometryFor(violation, stills.at?.frame);
    const stepsMs: Record<'images' | 'plate' | 'clip', number> = { images: 0, plate: 0, clip: 0 };
    let stepStartedMs = performance.now();
    const step = (name: keyof typeof stepsMs) => {
      const nowMs = performance.now();
      stepsMs[name] = Math.round(nowMs - stepStartedMs);
      stepStartedMs = nowMs;
    };
    for (const [kind, entry] of [['frameBefore', stills.before], ['frameAt', stills.at], ['frameAfter', stills.after]] as const) {
      if (!entry || !geometry) continue;
      const seen = boxesOf(entry.tracked, violation.trackId);
      const box = kind === 'frameAt' && entry.index === violation.frameIndex ? violation.box : seen.box;
      await store(kind, evidenceFrameJpeg(entry.frame, { geometry, box, trackId: violation.trackId, otherBoxes: seen.others }), 'jpg', 'image/jpeg');
    }
    if (stills.at) await store('vehicleCrop', vehicleCropJpeg(stills.at.frame, stills.at.index === violation.frameIndex ? violation.box : (boxesOf(stills.at.tracked, violation.trackId).box ?? violation.box)), 'jpg', 'image/jpeg');
    step('images');
    const plate = await this.#readPlate(violation, stills);
    step('plate');
    if (plate) await store('plateCrop', vehicleCropJpeg(plate.entry.frame, plate.reading.box, 0.15), 'jpg', 'image/jpeg');
    if (clip) await store('clip', clip, 'mp4', 'video/mp4');
    step('clip');
    if (job.encoder && job.encoder.droppedFrames > 0) this.#log.warn({ droppedFrames: job.encoder.droppedFrames, trackId: violation.trackId }, 'the clip encoder fell behind; frames were left out of the clip');

    const frameDurationMs = 1000 / this.#framesPerSecond;
    const occurredAtMs = stills.at?.index === violation.frameIndex ? stills.at.arrivedAtMs : job.decidedAtMs - (violation.decidedAtFrameIndex - violation.frameIndex) * frameDurationMs;
    const confidence = boxesOf(stills.at?.tracked, violation.trackId).confidence ?? 0;
    const base = violationToAlert(violation, { cameraId: camera.id, dateIssued: new Date(occurredAtMs), location: camera.location, districtCode: camera.districtCode });
    const id = `urn:ngsi-ld:Alert:${camera.id}:${violation.rule}:${violation.ruleId}:${this.sessionId}-${violation.trackId}`.slice(0, 128);
    const plateText = plate ? (plate.reading.normalised ?? plate.reading.text).slice(0, 32) : null;
    const alert: Alert = { ...base, id, evidence, ...(plateText ? { plate: plateText } : {}) };
    const record: ViolationRecord = {
      id,
      cameraId: camera.id,
      rule: violation.rule,
      ruleId: violation.ruleId,
      trackId: violation.trackId,
      vehicleClass: violationClassName(violation.classId),
      severity: alert.severity,
      occurredAt: new Date(occurredAtMs).toISOString(),
      decidedAt: new Date(job.decidedAtMs).toISOString(),
      recordedAt: new Date().toISOString(),
      confidence: Math.min(1, Math.max(0, Math.round(confidence * 1000) / 1000)),
      location: camera.location ?? null,
      districtCode: camera.districtCode ?? null,
      box: violation.box.map((value) => Math.round(value * 10) / 10) as Box,
      speedKmh: violation.speedKmh ?? null,
      advisory: violation.advisory ?? null,
      plateText,
      plateConfidence: plate ? Math.min(1, Math.max(0, Math.round(plate.reading.confidence * 1000) / 1000)) : null,
      evidence,
      status: 'new',
    };
    const stored = await this.#options.sink.record({ record, alert, sessionId: this.sessionId, frameIndex: violation.frameIndex });
    const evidenceMs = performance.now() - job.buildStartedAtMs;
    if (!stored) return;
    this.#recorded += 1;
    this.#evidenceMs.push(evidenceMs);
    if (this.#evidenceMs.length > 100) this.#evidenceMs.shift();
    this.#log.info({ rule: violation.rule, ruleId: violation.ruleId, trackId: violation.trackId, frame: violation.frameIndex, files: evidence.length, evidenceMs: Math.round(evidenceMs), stepsMs }, 'violation recorded');
    this.#options.bus?.publish({ kind: 'alert', alert });
    if (plate && record.plateConfidence !== null) await this.#recordSighting(record, plate.reading);
  }

  /** The violator's plate read as a sighting: the trace finds a vehicle at the cameras where it broke a rule. */
  async #recordSighting(record: ViolationRecord, reading: { text: string; normalised: string | null }): Promise<void> {
    const sink = this.#options.sightings;
    const plate = sightingPlateText(reading);
    if (!sink || !plate) return;
    try {
      await sink.record({
        cameraId: record.cameraId,
        seenAt: new Date(record.occurredAt),
        ...plate,
        confidence: record.plateConfidence ?? 0,
        source: 'violation',
        sessionId: this.sessionId,
        trackId: record.trackId,
        vehicleClass: record.vehicleClass,
        lineId: null,
        direction: null,
        violationId: record.id,
        vehicleCropSha256: record.evidence.find((file) => file.kind === 'vehicleCrop')?.sha256 ?? null,
        plateCropSha256: record.evidence.find((file) => file.kind === 'plateCrop')?.sha256 ?? null,
        location: record.location,
        districtCode: record.districtCode,
      });
    } catch (err) {
      // The violation is stored; a lost sighting only narrows the trace, so it must not fail the record.
      this.#log.error({ err, violationId: record.id }, 'plate sighting not stored');
    }
  }

  /**
   * The plate read in each still where the vehicle's box is known (at, after, before); the most confident reading
   * wins, one that fits a Vietnamese plate shape before one that does not, and a confident one in plate shape
   * ends the search. A reader that fails leaves the plate null.
   */
  async #readPlate(violation: Violation, stills: Record<'before' | 'at' | 'after', BufferedFrame | undefined>): Promise<{ reading: NonNullable<Awaited<ReturnType<PlateSource['read']>>>; entry: BufferedFrame } | undefined> {
    const plates = this.#options.plates;
    if (!plates) return undefined;
    let best: { reading: NonNullable<Awaited<ReturnType<PlateSource['read']>>>; entry: BufferedFrame } | undefined;
    for (const entry of [stills.at, stills.after, stills.before]) {
      if (!entry) continue;
      const box = entry.index === violation.frameIndex ? violation.box : boxesOf(entry.tracked, violation.trackId).box;
      if (!box) continue;
      try {
        const reading = await plates.read(entry.frame, box, { boxKind: 'vehicle' });
        if (!reading || reading.text.trim() === '') continue;
        const rank = (candidate: typeof reading) => (candidate.normalised ? 1 : 0) + candidate.confidence;
        if (!best || rank(reading) > rank(best.reading)) best = { reading, entry };
        // A confident reading in a plate shape is as good as it gets: spare the other stills' reads.
        if (best.reading.normalised && best.reading.confidence >= CONFIDENT_PLATE) break;
      } catch (err) {
        this.#log.warn({ err, trackId: violation.trackId }, 'plate not read');
      }
    }
    return best;
  }

  #geometryFor(violation: Violation, frame: Frame | undefined): RuleGeometry | undefined {
    if (!frame) return undefined;
    const key = `${violation.rule}:${violation.ruleId}`;
    let geometry = this.#geometry.get(key);
    if (!geometry) {
      geometry = ruleGeometryPixels(this.#options.camera, violation.rule, violation.ruleId, frame);
      this.#geometry.set(key, geometry);
    }
    return geometry;
  }
}
