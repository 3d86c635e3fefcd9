import { XMLParser } from 'fast-xml-parser';

/**
 * The part of an OpenStreetMap extract a site pack needs: nodes (positions), ways (node refs and tags) and
 * multipolygon relations (member ways), the same whatever the file format (.osm XML or .osm.pbf).
 */
export type OsmTags = Readonly<Record<string, string>>;

export interface OsmWay {
  id: number;
  nodeIds: number[];
  tags: OsmTags;
}

export interface OsmRelationMember {
  type: 'node' | 'way' | 'relation';
  ref: number;
  role: string;
}

export interface OsmRelation {
  id: number;
  members: OsmRelationMember[];
  tags: OsmTags;
}

export interface OsmData {
  /** Node id → [longitude, latitude]. */
  nodes: Map<number, [number, number]>;
  /** Tagged nodes only (signals, bus stops…), for optional point layers. */
  nodeTags: Map<number, OsmTags>;
  ways: OsmWay[];
  relations: OsmRelation[];
  /** The extract's `<bounds>` (or the PBF header bbox) as [[west, south], [east, north]], when the file has one. */
  bounds: [[number, number], [number, number]] | undefined;
}

export function emptyOsmData(): OsmData {
  return { nodes: new Map(), nodeTags: new Map(), ways: [], relations: [], bounds: undefined };
}

interface XmlTag {
  k: string;
  v: string;
}
interface XmlNode {
  id: string;
  lat: string;
  lon: string;
  visible?: string;
  tag?: XmlTag[];
}
interface XmlWay {
  id: string;
  visible?: string;
  nd?: Array<{ ref: string }>;
  tag?: XmlTag[];
}
interface XmlRelation {
  id: string;
  visible?: string;
  member?: Array<{ type: string; ref: string; role?: string }>;
  tag?: XmlTag[];
}

function tagsOf(tags: XmlTag[] | undefined): OsmTags {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) result[String(tag.k)] = String(tag.v);
  return result;
}

const ARRAY_ELEMENTS = new Set(['osm.node', 'osm.way', 'osm.relation', 'osm.node.tag', 'osm.way.tag', 'osm.way.nd', 'osm.relation.tag', 'osm.relation.member']);

/** OSM XML (API 0.6 `map` download, Overpass `out meta`, JOSM save). Deleted (`visible="false"`) elements are dropped. */
export function parseOsmXml(text: string): OsmData {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (_name, jpath) => ARRAY_ELEMENTS.has(String(jpath)),
  });
  const document = parser.parse(text) as { osm?: { bounds?: Record<string, string>; node?: XmlNode[]; way?: XmlWay[]; relation?: XmlRelation[] } };
  const osm = document.osm;
  if (!osm) throw new Error('not an OpenStreetMap XML file: no <osm> root element');
  const data = emptyOsmData();
  for (const node of osm.node ?? []) {
    if (node.visible === 'false') continue;
    const id = Number(node.id);
    data.nodes.set(id, [Number(node.lon), Number(node.lat)]);
    if (node.tag?.length) data.nodeTags.set(id, tagsOf(node.tag));
  }
  for (const way of osm.way ?? []) {
    if (way.visible === 'false') continue;
    data.ways.push({ id: Number(way.id), nodeIds: (way.nd ?? []).map((nd) => Number(nd.ref)), tags: tagsOf(way.tag) });
  }
  for (const relation of osm.relation ?? []) {
    if (relation.visible === 'false') continue;
    data.relations.push({
      id: Number(relation.id),
      members: (relation.member ?? []).map((member) => ({ type: member.type as OsmRelationMember['type'], ref: Number(member.ref), role: member.role ?? '' })),
      tags: tagsOf(relation.tag),
    });
  }
  const bounds = osm.bounds;
  if (bounds && bounds.minlon !== undefined) {
    data.bounds = [
      [Number(bounds.minlon), Number(bounds.minlat)],
      [Number(bounds.maxlon), Number(bounds.maxlat)],
    ];
  }
  return data;
}
