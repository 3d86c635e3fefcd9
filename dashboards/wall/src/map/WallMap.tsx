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
import { boundsOf, contains } from './geometry';
import { DEVICE_LAYER_ID, districtLabels, wallLayers } from './layers';

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

  // Keep every device on screen: the site's view first, widened only if a device falls outside it.
  const deviceKey = state.deviceIds.join('|');
  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !site) return;
    const positions = Object.values(store.state.devices).map((live) => live.device.location.coordinates);
    const viewBounds = map.getBounds();
    const view: [[number, number], [number, number]] = [
      [viewBounds.getWest(), viewBounds.getSouth()],
      [viewBounds.getEast(), viewBounds.getNorth()],
    ];
    if (positions.every((position) => contains(view, position))) return;
    const all = boundsOf([...positions, ...site.districts.flatMap((district) => district.boundary)]);
    if (all) map.fitBounds(all, { padding: 60, animate: false, maxZoom: Math.max(site.zoom, 14) });
  }, [loaded, site, deviceKey, store]);

  useEffect(() => {
    const overlay = overlayRef.current;
    if (!loaded || !overlay) return;
    overlay.setProps({ layers: wallLayers({ labels, points, scale: viewportScale() }) });
    layersHandedRef.current = true;
  }, [loaded, labels, points]);

  return <div ref={containerRef} className="wall-map" aria-label="map" />;
}
