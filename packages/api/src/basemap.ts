import { readdirSync, existsSync } from 'node:fs';
import express, { type Router } from 'express';

export interface GeojsonLayerRef {
  id: string;
  url: string;
  role: 'roads' | 'water' | 'boundaries' | 'other';
}

function roleOf(fileName: string): GeojsonLayerRef['role'] {
  const name = fileName.toLowerCase();
  if (/road|street|highway|duong/.test(name)) return 'roads';
  if (/water|river|lake|song|ho_/.test(name)) return 'water';
  if (/bound|admin|district|ranh/.test(name)) return 'boundaries';
  return 'other';
}

/** Files of a site pack that are not map layers (infra/src/site-pack): the site, camera/sensor lists, the manifest. */
const NOT_LAYERS = new Set(['site.json', 'pack.json', 'cameras.json', 'sensors.json']);
/** Drawn bottom to top. */
const ROLE_ORDER: GeojsonLayerRef['role'][] = ['water', 'other', 'roads', 'boundaries'];

/**
 * A basemap of GeoJSON layers from a site folder (roads by class, water, boundaries), served from this
 * node so the wall needs no network beyond it. The role comes from the file name; layers are listed water
 * first, boundaries last.
 */
export function geojsonBasemap(directory: string): { layers: GeojsonLayerRef[]; router: Router } {
  const router = express.Router();
  if (!existsSync(directory)) return { layers: [], router };
  const files = readdirSync(directory)
    .filter((name) => /\.(geo)?json$/i.test(name) && !NOT_LAYERS.has(name.toLowerCase()))
    .sort((a, b) => ROLE_ORDER.indexOf(roleOf(a)) - ROLE_ORDER.indexOf(roleOf(b)) || a.localeCompare(b));
  router.use('/api/v1/basemap/layers', express.static(directory, { index: false, dotfiles: 'deny', fallthrough: true }));
  return {
    layers: files.map((name) => ({ id: name.replace(/\.(geo)?json$/i, ''), url: `/api/v1/basemap/layers/${encodeURIComponent(name)}`, role: roleOf(name) })),
    router,
  };
}
