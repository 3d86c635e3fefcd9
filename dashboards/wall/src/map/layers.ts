import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Site } from '@ioc/schemas';
import type { DevicePoint } from './device-points';
import { ringCentroid } from './geometry';

export const DEVICE_LAYER_ID = 'devices';
export const VALUE_SIZE_PIXELS = 18;
export const VALUE_OFFSET_PIXELS = 26;
export const FONT_FAMILY = 'Be Vietnam Pro, sans-serif';

export interface DistrictLabel {
  name: string;
  position: [number, number];
}

export function districtLabels(site: Site): DistrictLabel[] {
  return site.districts.map((district) => ({ name: district.name, position: ringCentroid(district.boundary) }));
}

/** SDF glyphs so labels can carry a dark outline and stay sharp at any size on the wall. */
const FONT_SETTINGS = { sdf: true, fontSize: 64, buffer: 6, cutoff: 0.2 };
const OUTLINE: [number, number, number, number] = [7, 13, 26, 255];

/**
 * Three layers only (SwiftShader draws the wall in tests, and a wall PC is no gaming rig): district names,
 * device dots coloured by level, and their values. New data arrays are handed over on change; deck.gl diffs
 * the layers by id and re-uploads only the attributes, it does not rebuild them.
 */
export function wallLayers(input: { labels: DistrictLabel[]; points: DevicePoint[]; valueLabels: DevicePoint[]; scale: number }): Layer[] {
  const { labels, points, valueLabels, scale } = input;
  return [
    new TextLayer<DistrictLabel>({
      id: 'district-labels',
      data: labels,
      getPosition: (label) => label.position,
      getText: (label) => label.name,
      characterSet: 'auto',
      fontFamily: FONT_FAMILY,
      fontWeight: 600,
      fontSettings: FONT_SETTINGS,
      getSize: 15 * scale,
      sizeUnits: 'pixels',
      getColor: [170, 190, 225, 210],
      outlineWidth: 3,
      outlineColor: OUTLINE,
    }),
    new ScatterplotLayer<DevicePoint>({
      id: DEVICE_LAYER_ID,
      data: points,
      pickable: true,
      getPosition: (point) => point.position,
      getFillColor: (point) => point.color,
      getRadius: 11 * scale,
      radiusUnits: 'pixels',
      stroked: true,
      getLineColor: [240, 245, 255, 235],
      getLineWidth: 2 * scale,
      lineWidthUnits: 'pixels',
    }),
    new TextLayer<DevicePoint>({
      id: 'device-values',
      data: valueLabels,
      getPosition: (point) => point.position,
      getText: (point) => point.label,
      getPixelOffset: [0, -VALUE_OFFSET_PIXELS * scale],
      characterSet: 'auto',
      fontFamily: FONT_FAMILY,
      fontWeight: 700,
      fontSettings: FONT_SETTINGS,
      getSize: VALUE_SIZE_PIXELS * scale,
      sizeUnits: 'pixels',
      getColor: (point) => [point.color[0], point.color[1], point.color[2], 255],
      outlineWidth: 4,
      outlineColor: OUTLINE,
    }),
  ];
}
