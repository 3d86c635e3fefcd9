import { useEffect, useMemo, useRef, useState } from 'react';
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { SensorProperty } from '@ioc/schemas';
import type { HookRegistry, PickedDevice } from '../hooks';
import type { Lang } from '../i18n';
import type { WallConfig } from '../live/config';
import type { WallStore } from '../live/store';
import type { WallState } from '../state/wall-state';
import { DISTRICTS_SOURCE, DISTRICT_LINE_LAYER, chooseStyle, districtLineLayer, districtsGeojson } from './basemap';
import { devicePoints, type DevicePoint } from './device-points';
import { boundsOf, contains, declutter } from './geometry';
import { DEVICE_LAYER_ID, VALUE_OFFSET_PIXELS, VALUE_SIZE_PIXELS, districtLabels, wallLayers } from './layers';

interface WallMapProps {
  state: WallState;
  config: WallConfig;
  property: SensorProperty;
  lang: Lang;
  kiosk: boolean;
  store: WallStore;
  registry: HookRegistry;
}

/** Device colours go grey when values age; redraw that often even without new data. */
const AGEING_TICK_MS = 5000;

function viewportScale(): number {
  return Math.min(3, Math.max(0.8, window.innerWidth / 1920));
}

/**
 * MapLibre for the basemap, deck.gl (MapboxOverlay) for what is live. The map is created once per site;
 * later state only swaps the overlay's layers (same ids, new data arrays).
 */
export function WallMap({ state, config, property, lang, kiosk, store, registry }: WallMapProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const overlayRef = useRef<MapboxOverlay | null>(null);
  const layersHandedRef = useRef(false);
  const [loaded, setLoaded] = useState(false);
  const [nowBucket, setNowBucket] = useState(() => Date.now());
  /** Bumped when the view settles, so value labels are decluttered for what is on screen. */
  const [viewVersion, setViewVersion] = useState(0);
  const site = state.site;

  // The map itself: once (a wall does not change site without a reload).
  useEffect(() => {
    const container = containerRef.current;
    if (!container || !site) return;
    const choice = chooseStyle(config.basemap, site, window.location.href);
    if (config.basemap.kind === 'pmtiles' && !choice.overlayDistricts) {
      console.warn('basemap kind pmtiles needs the pmtiles protocol, which the wall does not bundle; using the builtin basemap');
    }
    const map = new maplibregl.Map({
      container,
      style: choice.style,
      center: site.center,
      zoom: site.zoom,
      attributionControl: false,
      interactive: !kiosk,
      fadeDuration: 0,
      maxPitch: 0,
      dragRotate: false,
    });
    const overlay = new MapboxOverlay({
      interleaved: false,
      layers: [],
      // deck.gl applies new layers in its next frame, so a frame drawn after the hand-over shows them.
      onAfterRender: () => {
        if (layersHandedRef.current) registry.markReady('layers');
      },
    });
    map.addControl(overlay as unknown as maplibregl.IControl);
    map.on('load', () => {
      if (choice.overlayDistricts && !map.getSource(DISTRICTS_SOURCE)) {
        map.addSource(DISTRICTS_SOURCE, { type: 'geojson', data: districtsGeojson(site) as never });
        map.addLayer(districtLineLayer());
      }
      setLoaded(true);
      map.once('idle', () => registry.markReady('map'));
    });
    map.on('moveend', () => setViewVersion((version) => version + 1));
    map.on('resize', () => setViewVersion((version) => version + 1));
    mapRef.current = map;
    overlayRef.current = overlay;

    registry.map = {
      pickDeviceAt(deviceId: string): PickedDevice | null {
        const live = store.state.devices[deviceId];
        if (!live) return null;
        const point = map.project(live.device.location.coordinates);
        const canvas = map.getCanvas();
        if (point.x < 0 || point.y < 0 || point.x > canvas.clientWidth || point.y > canvas.clientHeight) return null;
        // Several devices can share a spot: ask for every object under the point and take the one asked for.
        const infos = overlay.pickMultipleObjects({ x: point.x, y: point.y, radius: 4, depth: 16, layerIds: [DEVICE_LAYER_ID] });
        const hit = infos.map((info) => info.object as DevicePoint | undefined).find((object) => object?.id === deviceId);
        if (!hit) return null;
        return hit.value === undefined ? { id: hit.id } : { id: hit.id, value: hit.value };
      },
    };

    const observer = new ResizeObserver(() => map.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      registry.map = undefined;
      map.removeControl(overlay as unknown as maplibregl.IControl);
      map.remove();
      mapRef.current = null;
      overlayRef.current = null;
      setLoaded(false);
    };
    // Site and basemap are fixed for the map's life; data flows through the layers below.
  }, [site === undefined, config.basemap, kiosk]);

  // District outlines follow a new site from a resync without a new map.
  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !site) return;
    const source = map.getSource(DISTRICTS_SOURCE) as maplibregl.GeoJSONSource | undefined;
    source?.setData(districtsGeojson(site) as never);
    if (!map.getLayer(DISTRICT_LINE_LAYER) && source) map.addLayer(districtLineLayer());
  }, [loaded, site]);

  useEffect(() => {
    const timer = setInterval(() => setNowBucket(Date.now()), AGEING_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const points = useMemo(
    () => devicePoints(state, property, lang, Date.now()),
    // dataVersion stands for devices/history; nowBucket re-evaluates ageing.
    [state.dataVersion, state.devices, property, lang, nowBucket],
  );
  const labels = useMemo(() => (site ? districtLabels(site) : []), [site]);

  // Fit the site: start from its center/zoom; zoom in further when the districts and devices still fit (a wall
  // has no pixels to spare), and zoom out only as far as needed to keep every device on screen.
  const deviceKey = state.deviceIds.join('|');
  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !site) return;
    const positions = Object.values(store.state.devices).map((live) => live.device.location.coordinates);
    const all = boundsOf([...positions, ...site.districts.flatMap((district) => district.boundary)]);
    if (!all) return;
    const fitted = map.cameraForBounds(all, { padding: 48 });
    const viewBounds = map.getBounds();
    const view: [[number, number], [number, number]] = [
      [viewBounds.getWest(), viewBounds.getSouth()],
      [viewBounds.getEast(), viewBounds.getNorth()],
    ];
    const zoomIn = fitted?.zoom !== undefined && fitted.zoom > map.getZoom();
    const devicesHidden = !positions.every((position) => contains(view, position));
    if (fitted && (zoomIn || devicesHidden)) map.jumpTo({ center: fitted.center ?? site.center, zoom: fitted.zoom ?? site.zoom });
  }, [loaded, site, deviceKey, store]);

  useEffect(() => {
    const overlay = overlayRef.current;
    const map = mapRef.current;
    if (!loaded || !overlay || !map) return;
    const scale = viewportScale();
    const canvas = map.getCanvas();
    // Where several devices crowd a town centre, the highest (worst) values keep their labels.
    const valueLabels = declutter(
      points.filter((point) => point.label !== ''),
      (point) => {
        const at = map.project(point.position);
        if (at.x < 0 || at.y < 0 || at.x > canvas.clientWidth || at.y > canvas.clientHeight) return undefined;
        const height = VALUE_SIZE_PIXELS * scale;
        const width = point.label.length * 0.62 * height + 4;
        return { x: at.x - width / 2, y: at.y - VALUE_OFFSET_PIXELS * scale - height / 2, width, height };
      },
      (point) => (point.level ?? -1) * 1e6 + (point.value ?? 0),
    );
    overlay.setProps({ layers: wallLayers({ labels, points, valueLabels, scale }) });
    layersHandedRef.current = true;
  }, [loaded, labels, points, viewVersion]);

  return <div ref={containerRef} className="wall-map" aria-label="map" />;
}
