import { useEffect, useRef, useState } from 'react';
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { WallSnapshot } from '@ioc/schemas';
import { parseWallConfig, type WallConfig } from '../live/config';
import { DISTRICTS_SOURCE, chooseStyle, districtLineLayer, districtsGeojson } from '../map/basemap';

type Site = WallSnapshot['site'];

/** Site and basemap are the wall's: one fetch per page, shared by every map on it. */
let siteAndConfig: Promise<{ site: Site; config: WallConfig }> | undefined;
function loadSiteAndConfig(): Promise<{ site: Site; config: WallConfig }> {
  siteAndConfig ??= Promise.all([
    fetch('/api/v1/wall/config', { cache: 'no-store' }).then((response) => (response.ok ? response.json() : undefined)).catch(() => undefined),
    // The public site outline, not the wall's snapshot: the citizen page has no session and needs no readings.
    fetch('/api/v1/site', { cache: 'no-store' }).then((response) => {
      if (!response.ok) throw new Error(`site: HTTP ${response.status}`);
      return response.json() as Promise<{ site: Site }>;
    }),
  ]).then(([config, body]) => ({ site: body.site, config: parseWallConfig(config) }));
  siteAndConfig.catch(() => {
    siteAndConfig = undefined;
  });
  return siteAndConfig;
}

export interface PlacePoint {
  latitude: number;
  longitude: number;
}

export interface PlaceMapProps {
  point: PlacePoint | null;
  /** When given, a click on the map picks the place (the citizen's form). */
  onPick?: (point: PlacePoint) => void;
  label: string;
  zoom?: number;
}

/**
 * A small map of one place with the wall's offline basemap (no tiles, glyphs or sprites from the network) and a
 * DOM marker, so it works in a closed control-room network. Follows `point`; picks a point on click.
 */
export function PlaceMap({ point, onPick, label, zoom = 15 }: PlaceMapProps) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const markerRef = useRef<maplibregl.Marker | null>(null);
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const [failed, setFailed] = useState(false);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let map: maplibregl.Map | undefined;
    loadSiteAndConfig()
      .then(({ site, config }) => {
        const container = containerRef.current;
        if (cancelled || !container) return;
        const choice = chooseStyle(config.basemap, site, window.location.href);
        map = new maplibregl.Map({
          container,
          style: choice.style,
          center: site.center,
          zoom: site.zoom,
          attributionControl: false,
          fadeDuration: 0,
          maxPitch: 0,
          dragRotate: false,
        });
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
        map.on('load', () => {
          if (choice.overlayDistricts && map && !map.getSource(DISTRICTS_SOURCE)) {
            map.addSource(DISTRICTS_SOURCE, { type: 'geojson', data: districtsGeojson(site) as never });
            map.addLayer(districtLineLayer());
          }
          setReady(true);
        });
        map.on('click', (event) => pickRef.current?.({ latitude: event.lngLat.lat, longitude: event.lngLat.lng }));
        mapRef.current = map;
      })
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      markerRef.current = null;
      mapRef.current = null;
      map?.remove();
    };
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    if (!point) {
      markerRef.current?.remove();
      markerRef.current = null;
      return;
    }
    const position: [number, number] = [point.longitude, point.latitude];
    if (!markerRef.current) markerRef.current = new maplibregl.Marker({ color: '#e4572e' }).setLngLat(position).addTo(map);
    else markerRef.current.setLngLat(position);
    // Picking moves only the marker; a new report to show moves the view.
    if (!onPick) map.jumpTo({ center: position, zoom });
    else if (!map.getBounds().contains(position)) map.easeTo({ center: position, duration: 0 });
  }, [point?.latitude, point?.longitude, ready, zoom, onPick === undefined]);

  return (
    <div className={`place-map${onPick ? ' place-map-pick' : ''}`} aria-label={label} role="img" data-ready={ready ? 'true' : 'false'}>
      <div ref={containerRef} className="place-map-canvas" />
      {failed && <div className="place-map-failed">{point ? `${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)}` : '—'}</div>}
    </div>
  );
}
