import { z } from 'zod';
import { latitudeSchema, longitudeSchema } from './common';

/** The site the wall shows: the province, its districts and where to look first. */
export const districtSchema = z
  .object({
    code: z.string().min(1).max(32),
    name: z.string().min(1).max(200),
    /** One outer ring of [longitude, latitude] pairs; first and last equal. */
    boundary: z.array(z.tuple([longitudeSchema, latitudeSchema])).min(4),
  })
  .strict();
export type District = z.infer<typeof districtSchema>;

export const siteSchema = z
  .object({
    name: z.string().min(1).max(200),
    center: z.tuple([longitudeSchema, latitudeSchema]),
    zoom: z.number().min(0).max(22),
    districts: z.array(districtSchema).max(500),
  })
  .strict();
export type Site = z.infer<typeof siteSchema>;
