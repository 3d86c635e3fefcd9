import { IconLayer, PathLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Site } from '@ioc/schemas';
import { cameraCountLabel, cameraVehicleTotal } from '../state/camera-live';
import { FONT_FAMILY } from './layers';
import type { CameraInfo } from '../state/traffic';
import type { ViolationCell } from '../state/violations';

/**
 * The scene-dependent deck.gl layers: cameras (state icons, pickable), violations (points fading with age),
 * road segments coloured by flow, a district choropleth, and incident / field-report markers that pulse while
 * new. Same ids on every update, so deck.gl only re-uploads changed attributes.
 */
export const CAMERA_LAYER_ID = 'cameras';
/** Live vehicle counts beside the camera icons. */
export const CAMERA_COUNT_LAYER_ID = 'camera-counts';

export type CameraState = CameraInfo['state'];
const CAMERA_COLORS: Record<CameraState, string> = { online: '#4ade80', starting: '#fcd34d', offline: '#f87171', stopped: '#94a3b8' };

/** A camera glyph on a rounded square in the state's colour, as an SVG data URL (no sprite, no network). */
export function cameraIconUrl(state: CameraState): string {
  const color = CAMERA_COLORS[state];
  const cross = state === 'offline' ? '<path d="M14 14 L50 50 M50 14 L14 50" stroke="#0b1220" stroke-width="6" stroke-linecap="round"/>' : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect x="3" y="3" width="58" height="58" rx="14" fill="${color}" stroke="#f0f5ff" stroke-width="4"/><rect x="13" y="22" width="28" height="22" rx="4" fill="#0b1220"/><path d="M41 29 L52 23 L52 43 L41 37 Z" fill="#0b1220"/>${cross}</svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

const CAMERA_ICONS: Record<CameraState, { url: string; id: string; width: number; height: number }> = {
  online: { url: cameraIconUrl('online'), id: 'camera-online', width: 64, height: 64 },
  starting: { url: cameraIconUrl('starting'), id: 'camera-starting', width: 64, height: 64 },
  offline: { url: cameraIconUrl('offline'), id: 'camera-offline', width: 64, height: 64 },
  stopped: { url: cameraIconUrl('stopped'), id: 'camera-stopped', width: 64, height: 64 },
};

export interface CameraPoint {
  id: string;
  name: string;
  state: CameraState;
  position: [number, number];
  /** Vehicles counted since the camera's pipeline started (live over the socket). */
  vehicles: number;
}

export function cameraPoints(cameras: readonly CameraInfo[]): CameraPoint[] {
  return cameras
    .filter((camera) => camera.position !== undefined)
    .map((camera) => ({ id: camera.id, name: camera.name, state: camera.state, position: camera.position as [number, number], vehicles: cameraVehicleTotal(camera) }));
}


export interface RoadSegment {
  path: Array<[number, number]>;
  /** 0 free flow … 1 jammed. */
  load: number;
}

export interface MarkerPoint {
  id: string;
  position: [number, number];
  startedAtMs: number;
  color: [number, number, number];
}

export interface ChoroplethValue {
  code: string;
  ring: Array<[number, number]>;
  /** 0 … 1, or undefined: not drawn. */
  share: number | undefined;
}

/** A marker pulses (radius and alpha) for this long after it appears. */
export const PULSE_WINDOW_MS = 120_000;

function flowColor(load: number): [number, number, number, number] {
  // Green → yellow → red, bright enough on the dark basemap.
  const clamped = Math.max(0, Math.min(1, load));
  if (clamped < 0.5) return [74 + Math.round((252 - 74) * clamped * 2), 222 - Math.round((222 - 211) * clamped * 2), 128 - Math.round((128 - 77) * clamped * 2), 230];
  return [252 - Math.round((252 - 248) * (clamped - 0.5) * 2), 211 - Math.round((211 - 113) * (clamped - 0.5) * 2), 77 + Math.round((113 - 77) * (clamped - 0.5) * 2), 235];
}

export interface LiveLayerInput {
  visible: ReadonlySet<string>;
  scale: number;
  nowMs: number;
  /** Changes every few seconds: violation fade and marker pulse are recomputed then, not every frame. */
  tickMs: number;
  cameras: CameraPoint[];
  /** Violations binned with time decay (state/violations.ts `violationCells`). */
  violationCells: ViolationCell[];
  /** The cells' size on screen. */
  violationCellPixels: number;
  roads: RoadSegment[];
  choropleth: ChoroplethValue[];
  incidents: MarkerPoint[];
  fieldReports: MarkerPoint[];
  onCameraClick: (camera: CameraPoint) => void;
  /** A click on a field report's marker (its id without the layer's prefix is the report id). */
  onFieldReportClick?: (marker: MarkerPoint) => void;
}

export const FIELD_REPORT_LAYER_ID = 'field-reports';
export const INCIDENT_LAYER_ID = 'incidents';

function markerLayer(id: string, data: MarkerPoint[], input: LiveLayerInput, onClick?: (marker: MarkerPoint) => void): ScatterplotLayer<MarkerPoint> {
  const { scale, nowMs, tickMs } = input;
  const pulse = (marker: MarkerPoint) => {
    const ageMs = nowMs - marker.startedAtMs;
    return ageMs >= 0 && ageMs < PULSE_WINDOW_MS ? 0.5 + 0.5 * Math.abs(Math.sin(ageMs / 600)) : 0;
  };
  return new ScatterplotLayer<MarkerPoint>({
    id,
    data,
    getPosition: (marker) => marker.position,
    getRadius: (marker) => (9 + 9 * pulse(marker)) * scale,
    radiusUnits: 'pixels',
    getFillColor: (marker) => [...marker.color, 200 + Math.round(55 * pulse(marker))] as [number, number, number, number],
    stroked: true,
    getLineColor: [240, 245, 255, 240],
    getLineWidth: 2 * scale,
    lineWidthUnits: 'pixels',
    pickable: onClick !== undefined,
    ...(onClick
      ? {
          onClick: (info: { object?: unknown }) => {
            if (info.object) onClick(info.object as MarkerPoint);
            return true;
          },
        }
      : {}),
    updateTriggers: { getRadius: [tickMs, scale], getFillColor: tickMs },
  });
}

export function liveLayers(input: LiveLayerInput): Layer[] {
  const { visible, scale, tickMs } = input;
  const layers: Layer[] = [];
  if (visible.has('choropleth')) {
    layers.push(
      new SolidPolygonLayer<ChoroplethValue>({
        id: 'choropleth',
        data: input.choropleth.filter((value) => value.share !== undefined),
        getPolygon: (value) => value.ring,
        getFillColor: (value) => [248, 113, 113, Math.round(20 + 70 * (value.share ?? 0))],
        updateTriggers: { getFillColor: input.choropleth.map((value) => value.share).join(',') },
      }),
    );
  }
  if (visible.has('roadFlow')) {
    layers.push(
      new PathLayer<RoadSegment>({
        id: 'road-flow',
        data: input.roads,
        getPath: (segment) => segment.path,
        getColor: (segment) => flowColor(segment.load),
        getWidth: 4 * scale,
        widthUnits: 'pixels',
        // Square caps and miter joints: rounded ones multiply the vertices per segment, which a software
        // renderer (and a modest wall PC) pays for on every frame.
        _pathType: 'open',
      }),
    );
  }
  if (visible.has('violations')) {
    // Heat: colour and opacity from the cell's decayed weight, on a log scale so one busy junction does not wash out the rest.
    const maxWeight = input.violationCells.reduce((max, cell) => Math.max(max, cell.weight), 0);
    const heat = (cell: ViolationCell) => (maxWeight > 0 ? Math.log1p(cell.weight) / Math.log1p(maxWeight) : 0);
    layers.push(
      new ScatterplotLayer<ViolationCell>({
        id: 'violations',
        data: input.violationCells,
        getPosition: (cell) => cell.position,
        getRadius: (cell) => input.violationCellPixels * (0.35 + 0.35 * heat(cell)),
        radiusUnits: 'pixels',
        getFillColor: (cell) => {
          const value = heat(cell);
          return [255, Math.round(80 + 150 * value), Math.round(60 + 20 * value), Math.round(90 + 150 * value)];
        },
        updateTriggers: { getFillColor: [tickMs, maxWeight], getRadius: [tickMs, maxWeight, input.violationCellPixels] },
      }),
    );
  }
  if (visible.has('fieldReports')) layers.push(markerLayer(FIELD_REPORT_LAYER_ID, input.fieldReports, input, input.onFieldReportClick));
  if (visible.has('incidents')) layers.push(markerLayer(INCIDENT_LAYER_ID, input.incidents, input));
  if (visible.has('cameras')) {
    layers.push(
      new IconLayer<CameraPoint>({
        id: CAMERA_LAYER_ID,
        data: input.cameras,
        pickable: true,
        getPosition: (camera) => camera.position,
        getIcon: (camera) => CAMERA_ICONS[camera.state],
        getSize: 30 * scale,
        sizeUnits: 'pixels',
        onClick: (info) => {
          if (info.object) input.onCameraClick(info.object as CameraPoint);
          return true;
        },
      }),
    );
    // Only cameras that counted something: a wall of zeros says nothing, and text is the costly layer here.
    const counted = input.cameras.filter((camera) => camera.vehicles > 0);
    layers.push(
      new TextLayer<CameraPoint>({
        id: CAMERA_COUNT_LAYER_ID,
        data: counted,
        getPosition: (camera) => camera.position,
        getText: (camera) => cameraCountLabel(camera.vehicles),
        getSize: 15 * scale,
        sizeUnits: 'pixels',
        getPixelOffset: [19 * scale, 0],
        getTextAnchor: 'start',
        getAlignmentBaseline: 'center',
        getColor: [240, 245, 255, 255],
        fontFamily: FONT_FAMILY,
        fontWeight: 700,
        fontSettings: { sdf: true, fontSize: 64, buffer: 6, cutoff: 0.2 },
        outlineWidth: 4,
        outlineColor: [7, 13, 26, 255],
        characterSet: '0123456789.',
        updateTriggers: { getText: counted.map((camera) => camera.vehicles).join(), getSize: scale, getPixelOffset: scale },
      }),
    );
  }
  return layers;
}

/** Districts coloured by a share (0…1) of a per-district figure, e.g. today's violations. */
export function choroplethFrom(site: Site, valueByCode: Readonly<Record<string, number>>): ChoroplethValue[] {
  const max = Math.max(0, ...Object.values(valueByCode));
  return site.districts.map((district) => ({ code: district.code, ring: district.boundary as Array<[number, number]>, share: max > 0 && valueByCode[district.code] !== undefined ? (valueByCode[district.code] as number) / max : undefined }));
}

/** Deterministic pseudo-random numbers for the synthetic bench layers. */
export function seededRandom(seed: number): () => number {
  let value = seed >>> 0 || 1;
  return () => {
    value ^= value << 13;
    value ^= value >>> 17;
    value ^= value << 5;
    return (value >>> 0) / 4_294_967_296;
  };
}
