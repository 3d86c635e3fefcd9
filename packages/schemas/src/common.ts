import { z } from 'zod';

/** Identifiers that appear in MQTT topics and URLs: no slashes, wildcards or spaces. */
export const entityIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits and _ . : - only, starting with a letter or digit');

/** An ISO-8601 date-time with an explicit offset (e.g. 2026-11-24T08:30:00+07:00 or …Z). */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const longitudeSchema = z.number().min(-180).max(180);
export const latitudeSchema = z.number().min(-90).max(90);

/** GeoJSON Point, coordinates [longitude, latitude] as GeoJSON and Smart Data Models use. */
export const geoPointSchema = z
  .object({
    type: z.literal('Point'),
    coordinates: z.tuple([longitudeSchema, latitudeSchema]),
  })
  .strict();
export type GeoPoint = z.infer<typeof geoPointSchema>;

/** Version of every wire message; bump on a breaking change and keep readers for the old one. */
export const SCHEMA_VERSION = 1 as const;
