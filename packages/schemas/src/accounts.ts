import { z } from 'zod';

/**
 * Staff roles. Citizens never hold an account: they reach the IOC through Open311 only (API keys for apps,
 * anonymous submissions rate-limited).
 */
export const ROLES = ['admin', 'operator', 'leader', 'police'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * Who is asking, as every route and socket namespace sees it once the session is checked.
 * Scopes narrow what a user sees: an empty list means the whole province (admins, province-level staff); a
 * police officer of one district unit sees that district's cameras and violations only. Camera scoping works
 * like an NVR's per-user camera list: when `cameraIds` is non-empty, only those cameras.
 */
export const sessionUserSchema = z
  .object({
    id: z.string().min(1).max(64),
    username: z.string().min(1).max(64),
    displayName: z.string().max(128),
    role: roleSchema,
    /** District codes (the site's `districtCode`s) this user may see; empty = all. */
    districtCodes: z.array(z.string().min(1).max(32)).max(200),
    /** Camera ids this user may see; empty = all cameras of the allowed districts. */
    cameraIds: z.array(z.string().min(1).max(128)).max(2000),
    /** The police unit (đội/phòng CSGT) or agency the user acts for, shown in audit trails. */
    unit: z.string().max(128).optional(),
  })
  .strict();
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** True when `user` may see something located in `districtCode` from `cameraId` (either may be unknown). */
export function userMaySee(user: SessionUser, place: { districtCode?: string | null; cameraId?: string | null }): boolean {
  if (user.cameraIds.length > 0 && place.cameraId && !user.cameraIds.includes(place.cameraId)) return false;
  if (user.districtCodes.length > 0) {
    // Something with no known district is visible to province-wide users only: an officer of one district must
    // not see it by accident.
    if (!place.districtCode) return false;
    if (!user.districtCodes.includes(place.districtCode)) return false;
  }
  return true;
}
