import { z } from 'zod';
import { entityIdSchema, geoPointSchema, isoDateTimeSchema } from './common';

/** Vehicle classes, as Smart Data Models `vehicleType` names them. */
export const vehicleTypeSchema = z.enum(['car', 'motorcycle', 'bus', 'lorry', 'bicycle', 'anyVehicle']);
export type VehicleType = z.infer<typeof vehicleTypeSchema>;

/**
 * Smart Data Models `TrafficFlowObserved`: one row per camera line / loop lane, vehicle type and direction
 * per interval (a minute for cameras). Natural key: (id-of-source, laneId, vehicleType, laneDirection, dateObservedFrom).
 */
export const trafficFlowObservedSchema = z
  .object({
    type: z.literal('TrafficFlowObserved'),
    /** The camera or loop detector that counted. */
    refDevice: entityIdSchema,
    /** The counting line or lane on that device. */
    laneId: z.string().min(1).max(64),
    laneDirection: z.enum(['forward', 'backward']),
    vehicleType: vehicleTypeSchema,
    dateObservedFrom: isoDateTimeSchema,
    dateObservedTo: isoDateTimeSchema,
    /** Vehicles counted in the interval. */
    intensity: z.number().int().min(0).max(100_000),
    /** Share of the interval a vehicle was over the line/zone, 0..1. */
    occupancy: z.number().min(0).max(1).optional(),
    averageVehicleSpeed: z.number().min(0).max(400).optional(),
    refRoadSegment: z.string().max(128).optional(),
    location: geoPointSchema.optional(),
  })
  .strict()
  .refine((row) => Date.parse(row.dateObservedTo) > Date.parse(row.dateObservedFrom), {
    message: 'dateObservedTo must be after dateObservedFrom',
    path: ['dateObservedTo'],
  });
export type TrafficFlowObserved = z.infer<typeof trafficFlowObservedSchema>;
