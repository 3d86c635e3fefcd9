import type { Alert } from '@ioc/schemas';
import { vietnamDayStart } from './traffic';

/**
 * Traffic violations as the wall shows them: points on the map that fade with age (heat with time decay) and
 * counts by rule and by district for today (Vietnam day). Fed by `alert.raised` events with category traffic.
 */
export const VIOLATION_RULES = ['redLightViolation', 'speeding', 'carWrongDirection', 'laneViolation', 'carStopped'] as const;

export interface ViolationPoint {
  position: [number, number];
  atMs: number;
  rule: string;
}

export interface ViolationLog {
  points: readonly ViolationPoint[];
  byRule: Readonly<Record<string, number>>;
  byDistrict: Readonly<Record<string, number>>;
  dayStartMs: number;
  version: number;
}

/** Enough for a busy province's day on the map; older points drop off first. */
export const MAX_VIOLATION_POINTS = 100_000;

export function initialViolationLog(nowMs: number): ViolationLog {
  return { points: [], byRule: {}, byDistrict: {}, dayStartMs: vietnamDayStart(nowMs), version: 0 };
}

export function isViolation(alert: Pick<Alert, 'category' | 'subCategory'>): boolean {
  return alert.category === 'traffic' && (VIOLATION_RULES as readonly string[]).includes(alert.subCategory);
}

/** Adds violations (other alerts are ignored); counts start over at Vietnam midnight. */
export function recordViolations(log: ViolationLog, alerts: readonly Alert[], nowMs: number, maxPoints = MAX_VIOLATION_POINTS): ViolationLog {
  const violations = alerts.filter(isViolation);
  const dayStartMs = vietnamDayStart(nowMs);
  const newDay = dayStartMs !== log.dayStartMs;
  if (violations.length === 0 && !newDay) return log;
  const byRule: Record<string, number> = newDay ? {} : { ...log.byRule };
  const byDistrict: Record<string, number> = newDay ? {} : { ...log.byDistrict };
  const added: ViolationPoint[] = [];
  for (const alert of violations) {
    const atMs = Date.parse(alert.dateIssued);
    if (atMs >= dayStartMs) {
      byRule[alert.subCategory] = (byRule[alert.subCategory] ?? 0) + 1;
      if (alert.districtCode) byDistrict[alert.districtCode] = (byDistrict[alert.districtCode] ?? 0) + 1;
    }
    const coordinates = alert.location?.coordinates;
    if (coordinates) added.push({ position: [coordinates[0], coordinates[1]], atMs: Number.isFinite(atMs) ? atMs : nowMs, rule: alert.subCategory });
  }
  let points = added.length > 0 ? log.points.concat(added) : log.points;
  if (points.length > maxPoints) points = points.slice(points.length - maxPoints);
  return { points, byRule, byDistrict, dayStartMs, version: log.version + 1 };
}

/** Weight of a point of age `ageMs`: 1 when new, halving every `halfLifeMs`, 0 once under 2 %. */
export function decayWeight(ageMs: number, halfLifeMs: number): number {
  if (ageMs <= 0) return 1;
  const weight = 0.5 ** (ageMs / halfLifeMs);
  return weight < 0.02 ? 0 : weight;
}

export interface ViolationCell {
  /** Cell centre [lng, lat]. */
  position: [number, number];
  /** Sum of the decayed weights of the points in the cell. */
  weight: number;
  count: number;
}

/**
 * Bins points into square cells of `cellDegrees` with time decay: the heat layer draws one mark per cell
 * instead of one per violation, so 100,000 violations cost a few thousand marks (a wall PC's GPU and the tests'
 * software renderer alike). Points whose weight has decayed to 0 are left out.
 */
export function violationCells(points: readonly ViolationPoint[], nowMs: number, halfLifeMs: number, cellDegrees: number): ViolationCell[] {
  const cells = new Map<string, ViolationCell>();
  for (const point of points) {
    const weight = decayWeight(nowMs - point.atMs, halfLifeMs);
    if (weight <= 0) continue;
    const column = Math.floor(point.position[0] / cellDegrees);
    const row = Math.floor(point.position[1] / cellDegrees);
    const key = `${column}:${row}`;
    const cell = cells.get(key);
    if (cell) {
      cell.weight += weight;
      cell.count += 1;
    } else {
      cells.set(key, { position: [(column + 0.5) * cellDegrees, (row + 0.5) * cellDegrees], weight, count: 1 });
    }
  }
  return [...cells.values()];
}
