import { z } from 'zod';
import { entityIdSchema, geoPointSchema } from './common';

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

/** One camera as the operator configures it (strict: unknown keys are errors). */
export const cameraConfigSchema = z
  .object({
    id: entityIdSchema,
    name: z.string().min(1).max(200),
    source: cameraSourceSchema,
    analysisFps: z.number().min(0.5).max(30).default(5).describe('frames analysed per second'),
    model: z.string().min(1).max(100).default('nanodet-416').describe('a model name from models/manifest.json'),
    anchor: anchorSchema.default('bottomCenter'),
    lines: z.array(countingLineSchema).max(32).default([]),
    zones: z.array(cameraZoneSchema).max(32).default([]),
    location: geoPointSchema.optional(),
    headingDegrees: z.number().min(0).max(360).optional().describe('direction the camera looks, clockwise from north'),
    refRoadSegment: z.string().max(128).optional(),
    districtCode: z.string().max(16).optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((camera, context) => {
    const ids = new Set<string>();
    for (const [index, item] of [...camera.lines, ...camera.zones].entries()) {
      if (ids.has(item.id)) context.addIssue({ code: 'custom', message: `duplicate line/zone id "${item.id}"`, path: [index < camera.lines.length ? 'lines' : 'zones'] });
      ids.add(item.id);
    }
  });
export type CameraConfig = z.infer<typeof cameraConfigSchema>;
export type CameraConfigInput = z.input<typeof cameraConfigSchema>;
export type CountingLineConfig = z.infer<typeof countingLineSchema>;
export type CameraZoneConfig = z.infer<typeof cameraZoneSchema>;
