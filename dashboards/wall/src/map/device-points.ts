import type { SensorProperty } from '@ioc/schemas';
import { formatNumber, type Lang } from '../i18n';
import { deviceReading, devicesFor, type WallState } from '../state/wall-state';

export type Rgba = [number, number, number, number];

/** Level colours 0 good … 4 very bad (VN_AQI order: green, yellow, orange, red, purple), bright for a dark wall. */
export const LEVEL_COLORS: readonly Rgba[] = [
  [34, 197, 94, 255],
  [250, 204, 21, 255],
  [249, 115, 22, 255],
  [239, 68, 68, 255],
  [168, 85, 247, 255],
];
/** No data, device offline, or value too old. */
export const NO_DATA_COLOR: Rgba = [120, 130, 148, 255];

export function levelColor(level: number | undefined): Rgba {
  return level === undefined ? NO_DATA_COLOR : (LEVEL_COLORS[level] ?? NO_DATA_COLOR);
}

export function cssColor(color: Rgba): string {
  return `rgb(${color[0]} ${color[1]} ${color[2]})`;
}

/** One device as the map draws it. */
export interface DevicePoint {
  id: string;
  name: string;
  position: [number, number];
  value: number | undefined;
  level: 0 | 1 | 2 | 3 | 4 | undefined;
  color: Rgba;
  /** The value as the wall prints it ('187,5'); empty without a value. */
  label: string;
}

export function devicePoints(state: WallState, property: SensorProperty, lang: Lang, nowMs: number): DevicePoint[] {
  return devicesFor(state, property).map((live) => {
    const reading = deviceReading(live, property, nowMs);
    return {
      id: live.device.id,
      name: live.device.name,
      position: [live.device.location.coordinates[0], live.device.location.coordinates[1]],
      value: reading.value,
      level: reading.level,
      color: levelColor(reading.level),
      label: reading.value === undefined ? '' : formatNumber(reading.value, lang),
    };
  });
}
