import { useEffect, useRef, useState } from 'react';
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { MapboxOverlay } from '@deck.gl/mapbox';
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { CameraSummary, PlateTraceVisit, WallSnapshot } from '@ioc/schemas';
import { parseWallConfig } from '../live/config';
import { DISTRICTS_SOURCE, chooseStyle, districtLineLayer, districtsGeojson } from '../map/basemap';
import { arrowAngleDegrees } from './query';

type Site = WallSnapshot['site'];
type Position = [number, number];

interface PlacedVisit {
  order: number;
  position: Position;
  cameraName: string;
}

interface Arrow {
  position: Position;
  angle: number;
}

export interface TraceMapProps {
  cameras: readonly CameraSummary[];
  visits: readonly PlateTraceVisit[];
  /** The visit to fly to (a click in the list); null: fit the whole trace. */
  focusOrder: number | null;
  label: string;
}

/** Layer ids the browser test looks for (the path drawn means the trace reached the map). */
export const TRACE_LAYER_IDS = { cameras: 'trace-cameras', path: 'trace-path', arrows: 'trace-arrows', visits: 'trace-visits', numbers: 'trace-numbers' } as const;

const ACCENT: [number, number, number] = [11, 92, 173];
const TRACE_RED: [number, number, number] = [200, 40, 40];

/**
 * The trace on the site's offline basemap (MapLibre) with deck.gl layers: every camera as a small grey dot, the
 * path through the visits with an arrow on each leg, and the visits as numbered red points in time order.
 */
export function TraceMap({ cameras, visits, focusOrder, label }: TraceMapProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const overlayRef = useRef<MapboxOverlay | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const [drawnLayers, setDrawnLayers] = useState<string>('');

  useEffect(() => {
    let cancelled = false;
    let map: maplibregl.Map | undefined;
    Promise.all([
      fetch('/api/v1/wall/config', { cache: 'no-store' }).then((response) => (response.ok ? response.json() : undefined)).catch(() => undefined),
      fetch('/api/v1/site', { cache: 'no-store' }).then((response) => {
        if (!response.ok) throw new Error(`site: HTTP ${response.status}`);
        return response.json() as Promise<{ site: Site }>;
      }),
    ])
      .then(([config, body]) => {
        const container = containerRef.current;
        if (cancelled || !container) return;
        const site = body.site;
        const choice = chooseStyle(parseWallConfig(config).basemap, site, window.location.href);
        map = new maplibregl.Map({ container, style: choice.style, center: site.center, zoom: site.zoom, attributionControl: false, fadeDuration: 0, maxPitch: 0, dragRotate: false });
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
        const overlay = new MapboxOverlay({ interleaved: false, layers: [] });
        map.addControl(overlay as unknown as maplibregl.IControl);
        map.on('load', () => {
          if (choice.overlayDistricts && map && !map.getSource(DISTRICTS_SOURCE)) {
            map.addSource(DISTRICTS_SOURCE, { type: 'geojson', data: districtsGeojson(site) as never });
            map.addLayer(districtLineLayer());
          }
          setReady(true);
        });
        mapRef.current = map;
        overlayRef.current = overlay;
      })
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      overlayRef.current = null;
      mapRef.current = null;
      map?.remove();
    };
  }, []);

  // The layers follow the cameras and the trace.
  useEffect(() => {
    const overlay = overlayRef.current;
    if (!overlay || !ready) return;
    const placed: PlacedVisit[] = visits.flatMap((visit) => (visit.location ? [{ order: visit.order, position: visit.location.coordinates, cameraName: visit.cameraName ?? visit.cameraId }] : []));
    const arrows: Arrow[] = placed.slice(1).flatMap((visit, index) => {
      const previous = placed[index] as PlacedVisit;
      if (previous.position[0] === visit.position[0] && previous.position[1] === visit.position[1]) return [];
      const middle: Position = [(previous.position[0] + visit.position[0]) / 2, (previous.position[1] + visit.position[1]) / 2];
      return [{ position: middle, angle: arrowAngleDegrees(previous.position, visit.position) }];
    });
    const placedCameras = cameras.filter((camera): camera is CameraSummary & { location: NonNullable<CameraSummary['location']> } => camera.location !== undefined);
    const layers = [
      new ScatterplotLayer<(typeof placedCameras)[number]>({
        id: TRACE_LAYER_IDS.cameras,
        data: placedCameras,
        getPosition: (camera) => camera.location.coordinates,
        getRadius: 5,
        radiusUnits: 'pixels',
        getFillColor: [90, 100, 115, 200],
        getLineColor: [255, 255, 255, 255],
        lineWidthMinPixels: 1,
        stroked: true,
      }),
      new PathLayer<{ path: Position[] }>({
        id: TRACE_LAYER_IDS.path,
        data: placed.length >= 2 ? [{ path: placed.map((visit) => visit.position) }] : [],
        getPath: (row) => row.path,
        getColor: [...ACCENT, 220],
        getWidth: 4,
        widthUnits: 'pixels',
        jointRounded: true,
        capRounded: true,
      }),
      new TextLayer<Arrow>({
        id: TRACE_LAYER_IDS.arrows,
        data: arrows,
        getPosition: (arrow) => arrow.position,
        getText: () => '➤',
        getAngle: (arrow) => arrow.angle,
        getSize: 22,
        getColor: [...ACCENT, 255],
        characterSet: ['➤'],
        fontFamily: 'system-ui, sans-serif',
      }),
      new ScatterplotLayer<PlacedVisit>({
        id: TRACE_LAYER_IDS.visits,
        data: placed,
        getPosition: (visit) => visit.position,
        getRadius: 13,
        radiusUnits: 'pixels',
        getFillColor: (visit) => (visit.order === focusOrder ? [240, 140, 0, 255] : [...TRACE_RED, 255]),
        getLineColor: [255, 255, 255, 255],
        lineWidthMinPixels: 2,
        stroked: true,
        updateTriggers: { getFillColor: [focusOrder] },
      }),
      new TextLayer<PlacedVisit>({
        id: TRACE_LAYER_IDS.numbers,
        data: placed,
        getPosition: (visit) => visit.position,
        getText: (visit) => String(visit.order),
        getSize: 14,
        getColor: [255, 255, 255, 255],
        fontWeight: 700,
        fontFamily: 'Be Vietnam Pro, system-ui, sans-serif',
        characterSet: '0123456789',
      }),
    ];
    overlay.setProps({ layers, onAfterRender: () => setDrawnLayers(layers.filter((layer) => (layer.props.data as unknown[]).length > 0).map((layer) => layer.id).join(' ')) });
    const map = mapRef.current;
    if (map && placed.length > 0 && focusOrder === null) {
      const bounds = new maplibregl.LngLatBounds(placed[0]?.position, placed[0]?.position);
      for (const visit of placed) bounds.extend(visit.position);
      map.fitBounds(bounds, { padding: 80, maxZoom: 16, duration: 0 });
    }
  }, [cameras, visits, ready, focusOrder]);

  // A click in the list flies to that visit.
  useEffect(() => {
    const map = mapRef.current;
    const visit = visits.find((candidate) => candidate.order === focusOrder);
    if (!map || !ready || !visit?.location) return;
    map.flyTo({ center: visit.location.coordinates, zoom: Math.max(map.getZoom(), 15), duration: 800 });
  }, [focusOrder, visits, ready]);

  return (
    <div className="trace-map" aria-label={label} role="img" data-ready={ready ? 'true' : 'false'} data-layers={drawnLayers} data-testid="trace-map">
      <div ref={containerRef} className="trace-map-canvas" />
      {failed && <div className="trace-map-failed">—</div>}
    </div>
  );
}
