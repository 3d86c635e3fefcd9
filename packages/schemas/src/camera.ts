import { z } from 'zod';
import { entityIdSchema, geoPointSchema } from './common';
import { deviceStateSchema } from './device';
import { vehicleTypeSchema } from './traffic-flow';

/** A point in normalised image coordinates: x from the left edge, y from the top, both 0..1. */
const normalisedPointSchema = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
  .describe('[x, y] in normalised image coordinates (0..1 from the top-left corner)');

export const anchorSchema = z
  .enum(['center', 'centerLeft', 'centerRight', 'topCenter', 'topLeft', 'topRight', 'bottomLeft', 'bottomCenter', 'bottomRight'])
  .describe('where on a box presence and crossings are judged');

export const countingLineSchema = z
  .object({
    id: z.string().min(1).max(64).describe('line id, used as laneId of the counts'),
    points: z.tuple([normalisedPointSchema, normalisedPointSchema]).describe('directed line; forward = toward its normal (−dy, dx), y down'),
    name: z.string().max(200).optional(),
    forwardLabel: z.string().max(100).optional().describe('what forward means on the road, e.g. "về trung tâm"'),
    backwardLabel: z.string().max(100).optional(),
  })
  .strict()
  .refine((line) => line.points[0][0] !== line.points[1][0] || line.points[0][1] !== line.points[1][1], { message: 'a line needs two distinct points', path: ['points'] });

export const cameraZoneSchema = z
  .object({
    id: z.string().min(1).max(64),
    kind: z.enum(['presence', 'queue', 'noStopping']).describe('what the zone is watched for'),
    polygon: z.array(normalisedPointSchema).min(3).max(64),
    name: z.string().max(200).optional(),
    maxDwellSeconds: z.number().positive().max(86_400).optional().describe('noStopping: dwell beyond this is a violation'),
  })
  .strict();

export const cameraSourceSchema = z
  .object({
    url: z.string().min(1).max(2048).describe('file path, rtsp://…, or http(s):// MJPEG; credentials are scrubbed from every log line'),
    loop: z.boolean().default(false).describe('files only: start again at the end (demo cameras)'),
    realtime: z.boolean().default(true).describe('files only: play at the video’s own pace'),
    maxWidthPixels: z.number().int().min(160).max(7680).optional().describe('downscale wider frames before analysis'),
  })
  .strict();

/** A rectangle in normalised image coordinates: [x1, y1, x2, y2], top-left then bottom-right. */
const normalisedRectangleSchema = z
  .tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)])
  .refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1, { message: 'x2 > x1 and y2 > y1 (top-left, then bottom-right)' })
  .describe('[x1, y1, x2, y2] in normalised image coordinates');

const normalisedPolygonSchema = z.array(normalisedPointSchema).min(3).max(64);

/** Where a movement goes after the stop line: a zone entered, or a line crossed (either way). */
export const exitGeometrySchema = z.union([
  z.object({ polygon: normalisedPolygonSchema.describe('entering this zone is the movement') }).strict(),
  z.object({ line: z.tuple([normalisedPointSchema, normalisedPointSchema]).describe('crossing this line is the movement') }).strict(),
]);

export const stopLineSchema = z
  .object({
    id: z.string().min(1).max(64).describe('stop line id, reported with each red-light violation'),
    points: z.tuple([normalisedPointSchema, normalisedPointSchema]).describe('directed stop line; forward = toward its normal (−dy, dx), y down'),
    approach: z.enum(['forward', 'backward']).describe('which way this approach’s traffic crosses the stop line'),
    signalGroup: z.string().min(1).max(64).describe('id of the signal group that governs this approach'),
    frontOffsetBoxFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe('judge the anchor moved this share of the box height in the approach direction (the front of a vehicle seen from behind)'),
    allowedExits: z.array(exitGeometrySchema).max(8).default([]).describe('movements allowed on red (e.g. right turn on a green arrow): entering one clears the vehicle'),
    straightExits: z.array(exitGeometrySchema).max(8).default([]).describe('entering one after crossing on red confirms the violation'),
    confirmDistance: z
      .number()
      .positive()
      .max(1)
      .optional()
      .describe('confirm once this far past the stop line without an allowed exit, as a share of the frame height'),
  })
  .strict()
  .refine((line) => line.points[0][0] !== line.points[1][0] || line.points[0][1] !== line.points[1][1], { message: 'a line needs two distinct points', path: ['points'] })
  .refine((line) => line.straightExits.length > 0 || line.confirmDistance !== undefined, { message: 'straightExits or confirmDistance is needed to confirm a straight movement', path: ['confirmDistance'] });

export const signalLampsSchema = z
  .object({
    red: normalisedRectangleSchema.optional(),
    amber: normalisedRectangleSchema.optional(),
    green: normalisedRectangleSchema.optional().describe('a green lamp or a green arrow'),
  })
  .strict()
  .refine((lamps) => lamps.red !== undefined || lamps.amber !== undefined || lamps.green !== undefined, { message: 'at least one lamp rectangle' });

export const signalGroupSchema = z
  .object({
    id: z.string().min(1).max(64).describe('signal group id (stop lines refer to it)'),
    name: z.string().max(200).optional(),
    source: z.enum(['image', 'controller']).default('image').describe('image: read the lamps in the frame; controller: the MQTT feed of the signal controller'),
    lamps: signalLampsSchema.optional().describe('image: rectangles around the lit area of each lamp of this group'),
    mqttTopic: z.string().min(1).max(256).optional().describe('controller: topic with {state, changedAt} for this group'),
    confirmFrames: z.number().int().min(1).max(30).default(3).describe('frames of a new colour before the state changes (LED flicker)'),
    holdDarkSeconds: z.number().positive().max(60).default(3).describe('a group read dark longer than this becomes unknown'),
  })
  .strict();

export const calibrationSchema = z
  .object({
    imagePoints: z.tuple([normalisedPointSchema, normalisedPointSchema, normalisedPointSchema, normalisedPointSchema]).describe('four points on the road, normalised image coordinates'),
    groundPointsMeters: z
      .tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])
      .describe('the same four points on the ground plane, metres (e.g. lane-marking corners)'),
    certified: z.boolean().default(false).describe('speeds are evidence only from a certified (inspected) camera; otherwise advisory'),
  })
  .strict();

export const speedingSchema = z
  .object({
    id: z.string().min(1).max(64).default('speed'),
    speedLimitKmh: z.number().positive().max(200),
    polygon: normalisedPolygonSchema.optional().describe('the calibrated stretch of road; the whole frame when absent'),
    windowSeconds: z.number().positive().max(10).default(1).describe('speed is measured over this window'),
    minimumFrames: z.number().int().min(1).max(100).default(3).describe('frames in a row above the limit'),
  })
  .strict();

export const laneZoneSchema = z
  .object({
    id: z.string().min(1).max(64),
    polygon: normalisedPolygonSchema,
    allowedVehicleTypes: z.array(vehicleTypeSchema.exclude(['anyVehicle'])).min(1).describe('vehicle types allowed in the lane, e.g. motorcycle and bicycle in a motorbike lane'),
    minimumFrames: z.number().int().min(1).max(1000).default(10).describe('frames in a row in the lane before a vehicle of another type is flagged'),
  })
  .strict();

export const wrongWayZoneSchema = z
  .object({
    id: z.string().min(1).max(64),
    polygon: normalisedPolygonSchema,
    allowedDirection: z
      .tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)])
      .refine(([dx, dy]) => dx !== 0 || dy !== 0, { message: 'a non-zero direction' })
      .describe('[dx, dy] the way traffic may move, normalised image coordinates (y down)'),
    headingWindowFrames: z.number().int().min(1).max(100).default(5),
    minimumFrames: z.number().int().min(1).max(1000).default(5).describe('analysed frames in a row heading against the allowed direction'),
  })
  .strict();

/**
 * Plate reading of every vehicle that crosses a counting line (sightings for the trace), besides violators'.
 * Opt-in: each read costs CPU (see ingest/README.md for the figure) and each sighting is personal data.
 */
export const cameraPlatesSchema = z
  .object({
    readOnCrossing: z.boolean().default(false).describe('read the plate of each track that crosses a counting line'),
    bestOfFrames: z.number().int().min(1).max(30).default(8).describe('the crop read is the largest box of the track in its last this many analysed frames'),
    maxQueuedReads: z.number().int().min(1).max(256).default(16).describe('crossings waiting for the plate worker; more are dropped and counted, never waited for'),
    minConfidence: z.number().min(0).max(1).default(0.5).describe('readings below this are not stored as sightings'),
  })
  .strict();
export type CameraPlatesConfig = z.infer<typeof cameraPlatesSchema>;

/**
 * The detector a camera uses unless its config names another: NanoDet fine-tuned on Vietnamese street traffic at a
 * 480×480 input (models/REPORT-vn.md). The COCO model it was tuned from stays selectable as `nanodet-416`.
 */
export const DEFAULT_DETECTOR_MODEL = 'nanodet-480-vn';

/** One camera as the operator configures it (strict: unknown keys are errors). */
export const cameraConfigSchema = z
  .object({
    id: entityIdSchema,
    name: z.string().min(1).max(200),
    source: cameraSourceSchema,
    analysisFps: z.number().min(0.5).max(30).default(5).describe('frames analysed per second'),
    model: z.string().min(1).max(100).default(DEFAULT_DETECTOR_MODEL).describe('a model name from models/manifest.json'),
    anchor: anchorSchema.default('bottomCenter'),
    lines: z.array(countingLineSchema).max(32).default([]),
    zones: z.array(cameraZoneSchema).max(32).default([]),
    stopLines: z.array(stopLineSchema).max(16).default([]).describe('red-light rule: one stop line per approach'),
    signalGroups: z.array(signalGroupSchema).max(16).default([]),
    calibration: calibrationSchema.optional().describe('four-point ground-plane calibration (speeds)'),
    speeding: speedingSchema.optional().describe('speeding rule; needs calibration'),
    lanes: z.array(laneZoneSchema).max(16).default([]).describe('lane-misuse rule: vehicle types allowed per lane'),
    wrongWayZones: z.array(wrongWayZoneSchema).max(16).default([]),
    location: geoPointSchema.optional(),
    headingDegrees: z.number().min(0).max(360).optional().describe('direction the camera looks, clockwise from north'),
    refRoadSegment: z.string().max(128).optional(),
    districtCode: z.string().max(16).optional(),
    enabled: z.boolean().default(true),
    plates: cameraPlatesSchema.optional().describe('plate sightings for the trace (truy vết); off when absent'),
  })
  .strict()
  .superRefine((camera, context) => {
    verifyUniqueIds(camera, context);
    verifySignalGroups(camera, context);
    if (camera.speeding !== undefined && camera.calibration === undefined) {
      context.addIssue({ code: 'custom', message: 'speeding needs a calibration (four image points and their ground positions)', path: ['calibration'] });
    }
  });

/** The parts of a camera the cross-field checks read. */
interface CameraShape {
  lines: Array<{ id: string }>;
  zones: Array<{ id: string }>;
  stopLines: Array<{ id: string; signalGroup: string }>;
  signalGroups: Array<{ id: string; source: 'image' | 'controller'; lamps?: unknown; mqttTopic?: string | undefined }>;
  lanes: Array<{ id: string }>;
  wrongWayZones: Array<{ id: string }>;
}

/** Line, zone, stop line, lane and wrong-way zone ids name counts and violations: one namespace, no repeats. */
function verifyUniqueIds(camera: CameraShape, context: z.RefinementCtx): void {
  const ids = new Set<string>();
  const groups: Array<[keyof CameraShape, Array<{ id: string }>]> = [
    ['lines', camera.lines],
    ['zones', camera.zones],
    ['stopLines', camera.stopLines],
    ['lanes', camera.lanes],
    ['wrongWayZones', camera.wrongWayZones],
  ];
  for (const [path, items] of groups) {
    for (const item of items) {
      if (ids.has(item.id)) context.addIssue({ code: 'custom', message: `duplicate line/zone id "${item.id}"`, path: [path] });
      ids.add(item.id);
    }
  }
}

/** Every stop line names a configured group; image groups have lamps, controller groups a topic; ids unique. */
function verifySignalGroups(camera: CameraShape, context: z.RefinementCtx): void {
  const groupIds = new Set<string>();
  camera.signalGroups.forEach((group, index) => {
    if (groupIds.has(group.id)) context.addIssue({ code: 'custom', message: `duplicate signal group id "${group.id}"`, path: ['signalGroups', index, 'id'] });
    groupIds.add(group.id);
    if (group.source === 'image' && group.lamps === undefined) context.addIssue({ code: 'custom', message: 'an image signal group needs lamps (rectangles of its lamps)', path: ['signalGroups', index, 'lamps'] });
    if (group.source === 'controller' && group.mqttTopic === undefined) context.addIssue({ code: 'custom', message: 'a controller signal group needs mqttTopic', path: ['signalGroups', index, 'mqttTopic'] });
  });
  camera.stopLines.forEach((line, index) => {
    if (!groupIds.has(line.signalGroup)) context.addIssue({ code: 'custom', message: `signal group "${line.signalGroup}" is not configured (signalGroups)`, path: ['stopLines', index, 'signalGroup'] });
  });
}
export type CameraConfig = z.infer<typeof cameraConfigSchema>;
export type CameraConfigInput = z.input<typeof cameraConfigSchema>;
export type CountingLineConfig = z.infer<typeof countingLineSchema>;
export type CameraZoneConfig = z.infer<typeof cameraZoneSchema>;
export type StopLineConfig = z.infer<typeof stopLineSchema>;
export type SignalGroupConfig = z.infer<typeof signalGroupSchema>;
export type SignalLampsConfig = z.infer<typeof signalLampsSchema>;
export type CalibrationConfig = z.infer<typeof calibrationSchema>;
export type SpeedingConfig = z.infer<typeof speedingSchema>;
export type LaneZoneConfig = z.infer<typeof laneZoneSchema>;
export type WrongWayZoneConfig = z.infer<typeof wrongWayZoneSchema>;
export type ExitGeometryConfig = z.infer<typeof exitGeometrySchema>;

/**
 * What a signal controller publishes per signal group (one MQTT topic per group, `signalGroups[].mqttTopic`):
 * the state it switched to and when. Unknown keys are ignored: controllers add their own diagnostics.
 */
export const signalControllerMessageSchema = z.object({
  state: z.enum(['red', 'amber', 'green', 'unknown']).describe('what the group shows now'),
  changedAt: z.iso.datetime({ offset: true }).describe('when the group switched to this state (controller clock, ISO 8601 with offset)'),
});
export type SignalControllerMessage = z.infer<typeof signalControllerMessageSchema>;

/** What a camera pipeline is doing: `starting` (model loading, first frame not in yet), `online`, `offline` (retrying its source), `stopped`. */
export const cameraStateSchema = z.enum(['starting', 'online', 'offline', 'stopped']);
export type CameraState = z.infer<typeof cameraStateSchema>;

const countSchema = z.number().int().nonnegative();
/** Vehicles counted per counting line id, then per vehicle type, by direction (forward/backward as the line defines them). */
export const cameraLineCountsSchema = z.record(
  z.string().min(1).max(64).describe('counting line id'),
  z.partialRecord(vehicleTypeSchema, z.object({ forward: countSchema, backward: countSchema }).strict()),
);
export type CameraLineCounts = z.infer<typeof cameraLineCountsSchema>;

/**
 * A camera's health as its pipeline reports it (on the bus as `cameraHealth`, in `GET /api/v1/cameras`): the
 * `Device` state it maps to plus what an operator needs to see why a camera is slow or dark.
 */
export const cameraHealthSchema = z
  .object({
    cameraId: entityIdSchema,
    state: cameraStateSchema,
    /** The camera's Smart Data Models `Device.deviceState`: online → ok, offline → offline, otherwise unknown. */
    deviceState: deviceStateSchema,
    analysisFps: z.number().positive().max(30).describe('the configured analysis rate'),
    analysedFps: z.number().nonnegative().max(1000).describe('frames analysed per second over the last 10 s'),
    inferenceMs: z.number().nonnegative().describe('median detector time of the last 50 frames'),
    framesAnalysed: countSchema,
    framesSkipped: countSchema.describe('frames dropped because the previous one was still being analysed'),
    reconnects: countSchema,
    lastFrameAtMs: z.number().int().nonnegative().optional().describe('when the last frame was analysed (ms since epoch)'),
    lastError: z.string().max(2000).optional().describe('the last source or model error, credentials scrubbed'),
    reportedAtMs: z.number().int().nonnegative(),
  })
  .strict();
export type CameraHealth = z.infer<typeof cameraHealthSchema>;

/**
 * Live counts of one camera (on the bus as `cameraCounts`, at most about once a second per camera and only when
 * something was counted): what was counted in (`fromMs`, `toMs`], and the totals since the pipeline started so a
 * client that missed a message still shows the right figure.
 */
export const cameraCountsSchema = z
  .object({
    cameraId: entityIdSchema,
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().nonnegative(),
    delta: cameraLineCountsSchema,
    totals: cameraLineCountsSchema,
  })
  .strict()
  .refine((counts) => counts.toMs >= counts.fromMs, { message: 'toMs must not be before fromMs', path: ['toMs'] });
export type CameraCounts = z.infer<typeof cameraCountsSchema>;

/**
 * One camera in `GET /api/v1/cameras`: configuration summary, health and the counts since its pipeline started.
 * The health fields beyond state/fps/inference/last frame are optional for directories that run no pipelines
 * (tests and benchmarks that serve fixed cameras).
 */
export interface CameraSummary {
  id: string;
  name: string;
  state: CameraState;
  location?: { type: 'Point'; coordinates: [number, number] } | undefined;
  districtCode?: string | undefined;
  analysisFps: number;
  analysedFps: number;
  inferenceMs: number;
  lastFrameAtMs: number | undefined;
  lastError: string | undefined;
  counts: CameraLineCounts;
  deviceState?: CameraHealth['deviceState'];
  framesAnalysed?: number;
  framesSkipped?: number;
  reconnects?: number;
}
