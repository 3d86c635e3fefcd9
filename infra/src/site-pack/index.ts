export { buildSitePack, readOsmFile, readPoints, readSitePackSite, zoomToFit, SITE_PACK_FILES, type BuildSitePackOptions, type PackPoint, type SitePack, type SitePackManifest } from './build-site-pack';
export { districtsFromBoundaries, clipRing, simplifyRing, ringArea } from './boundaries';
export { roadClassOf, roadsFromOsm, waterFromOsm, resolveWay, assembleRings, taggedNodes, ROAD_CLASSES, type RoadClass } from './features';
export { parseOsmXml, type OsmData } from './osm';
export { parseOsmPbf } from './osm-pbf';
