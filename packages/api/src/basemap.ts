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

/**
 * A basemap of GeoJSON layers from a site folder (roads by class, water, boundaries), served from this
 * node so the wall needs no network beyond it. The role comes from the file name.
 */
export function geojsonBasemap(directory: string): { layers: GeojsonLayerRef[]; router: Router } {
  const router = express.Router();
  if (!existsSync(directory)) return { layers: [], router };
  const files = readdirSync(directory).filter((name) => /\.(geo)?json$/i.test(name)).sort();
  router.use('/api/v1/basemap/layers', express.static(directory, { index: false, dotfiles: 'deny', fallthrough: true }));
  return {
    layers: files.map((name) => ({ id: name.replace(/\.(geo)?json$/i, ''), url: `/api/v1/basemap/layers/${encodeURIComponent(name)}`, role: roleOf(name) })),
    router,
  };
}
