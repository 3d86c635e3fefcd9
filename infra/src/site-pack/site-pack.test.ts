import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clipRing, districtsFromBoundaries, ringArea, simplifyRing } from './boundaries';
import { zoomToFit, readPoints } from './build-site-pack';
import { assembleRings, resolveWay, roadClassOf, roadsFromOsm, waterFromOsm } from './features';
import { parseOsmXml } from './osm';
import { PBF_TYPES, parseOsmPbf } from './osm-pbf';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <bounds minlat="10.0" minlon="106.0" maxlat="10.1" maxlon="106.1"/>
 <node id="1" lat="10.01" lon="106.01"/>
 <node id="2" lat="10.02" lon="106.02"/>
 <node id="3" lat="10.03" lon="106.01"><tag k="highway" v="traffic_signals"/></node>
 <node id="4" lat="10.05" lon="106.05"/>
 <node id="5" lat="10.05" lon="106.06"/>
 <node id="6" lat="10.06" lon="106.06"/>
 <node id="7" lat="10.06" lon="106.05" visible="false"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="name" v="Đường Điện Biên Phủ"/><tag k="oneway" v="yes"/></way>
 <way id="11"><nd ref="2"/><nd ref="99"/><nd ref="3"/><tag k="highway" v="residential"/></way>
 <way id="12"><nd ref="1"/><nd ref="99"/><tag k="highway" v="service"/></way>
 <way id="13"><nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="4"/><tag k="natural" v="water"/><tag k="name" v="Hồ Con Rùa"/></way>
 <way id="14"><nd ref="1"/><nd ref="4"/><tag k="highway" v="construction"/></way>
 <way id="15"><nd ref="4"/><nd ref="5"/></way>
 <way id="16"><nd ref="5"/><nd ref="6"/><nd ref="4"/></way>
 <relation id="20"><member type="way" ref="15" role="outer"/><member type="way" ref="16" role="outer"/><tag k="type" v="multipolygon"/><tag k="natural" v="water"/></relation>
</osm>`;

describe('OSM XML', () => {
  const data = parseOsmXml(XML);
  it('reads nodes, tagged nodes, ways, relations and bounds; drops deleted elements', () => {
    expect(data.nodes.size).toBe(6);
    expect(data.nodes.get(1)).toEqual([106.01, 10.01]);
    expect(data.nodeTags.get(3)).toEqual({ highway: 'traffic_signals' });
    expect(data.ways.map((way) => way.id)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(data.relations[0]?.members).toEqual([{ type: 'way', ref: 15, role: 'outer' }, { type: 'way', ref: 16, role: 'outer' }]);
    expect(data.bounds).toEqual([[106, 10], [106.1, 10.1]]);
  });

  it('turns road ways into LineStrings with class and names, resolving refs and skipping unresolved ones', () => {
    const roads = roadsFromOsm(data);
    expect(roads.features.map((feature) => [feature.properties.osmId, feature.properties.class, feature.geometry.coordinates.length])).toEqual([
      // Minor classes first, so major roads draw on top; way 12 has one resolvable node and is left out.
      [11, 'residential', 2],
      [10, 'primary', 3],
    ]);
    expect(roads.features[1]?.properties).toEqual({ osmId: 10, class: 'primary', link: false, name: 'Đường Điện Biên Phủ', oneway: true });
  });

  it('finds water areas, including a multipolygon assembled from two ways', () => {
    const water = waterFromOsm(data);
    expect(water.features.map((feature) => [feature.properties.osmId, feature.geometry.type, feature.properties.name])).toEqual([
      [13, 'Polygon', 'Hồ Con Rùa'],
      [20, 'Polygon', undefined],
    ]);
  });

  it('rejects a file that is not OSM', () => {
    expect(() => parseOsmXml('<gpx></gpx>')).toThrow(/no <osm> root/);
  });
});

describe('roadClassOf', () => {
  const cases: Array<[Record<string, string>, ReturnType<typeof roadClassOf>]> = [
    [{ highway: 'motorway' }, { roadClass: 'motorway', link: false }],
    [{ highway: 'trunk_link' }, { roadClass: 'trunk', link: true }],
    [{ highway: 'primary_link' }, { roadClass: 'primary', link: true }],
    [{ highway: 'secondary' }, { roadClass: 'secondary', link: false }],
    [{ highway: 'tertiary' }, { roadClass: 'tertiary', link: false }],
    [{ highway: 'living_street' }, { roadClass: 'residential', link: false }],
    [{ highway: 'unclassified' }, { roadClass: 'residential', link: false }],
    [{ highway: 'service' }, { roadClass: 'service', link: false }],
    [{ highway: 'footway' }, { roadClass: 'path', link: false }],
    [{ highway: 'track' }, { roadClass: 'other', link: false }],
    [{ highway: 'pedestrian', area: 'yes' }, undefined],
    [{ highway: 'construction' }, undefined],
    [{ highway: 'bus_stop' }, undefined],
    [{ building: 'yes' }, undefined],
  ];
  it.each(cases)('%j → %j', (tags, expected) => {
    expect(roadClassOf(tags)).toEqual(expected);
  });
});

describe('resolveWay', () => {
  const nodes = new Map<number, [number, number]>([
    [1, [106.123456789, 10.1]],
    [2, [106.2, 10.2]],
  ]);
  const cases = [
    { name: 'all nodes known', nodeIds: [1, 2], expected: [[106.1234568, 10.1], [106.2, 10.2]] },
    { name: 'a node outside the extract is skipped', nodeIds: [1, 9, 2], expected: [[106.1234568, 10.1], [106.2, 10.2]] },
    { name: 'fewer than two nodes: no line', nodeIds: [1, 9], expected: undefined },
  ];
  it.each(cases)('$name', ({ nodeIds, expected }) => {
    expect(resolveWay({ id: 1, nodeIds, tags: {} }, nodes)).toEqual(expected);
  });
});

describe('assembleRings', () => {
  const cases = [
    { name: 'closed way', parts: [[1, 2, 3, 1]], expected: [[1, 2, 3, 1]] },
    { name: 'two halves', parts: [[1, 2, 3], [3, 4, 1]], expected: [[1, 2, 3, 4, 1]] },
    { name: 'second half reversed', parts: [[1, 2, 3], [1, 4, 3]], expected: [[1, 2, 3, 4, 1]] },
    { name: 'open chain (member outside the extract) is dropped', parts: [[1, 2, 3], [3, 4]], expected: [] },
  ];
  it.each(cases)('$name', ({ parts, expected }) => {
    expect(assembleRings(parts)).toEqual(expected);
  });
});

describe('boundaries', () => {
  const square: Array<[number, number]> = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]];
  it('clips a ring to a box', () => {
    const clipped = clipRing(square, [[2, 2], [6, 6]]);
    expect(Math.abs(ringArea(clipped))).toBeCloseTo(4);
    expect(clipRing(square, [[5, 5], [6, 6]])).toEqual([]);
  });

  it('simplifies a ring and keeps it closed', () => {
    const wobbly: Array<[number, number]> = [[0, 0], [1, 0.00001], [2, 0], [2, 2], [1, 2.00001], [0, 2], [0, 0]];
    const simplified = simplifyRing(wobbly, 0.001);
    expect(simplified[0]).toEqual(simplified[simplified.length - 1]);
    expect(simplified.length).toBeLessThan(wobbly.length);
  });

  const features = [
    { type: 'Feature', properties: { level2_id: '094', name: 'Thành phố Điện Biên Phủ' }, geometry: { type: 'MultiPolygon', coordinates: [[[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0]]], [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]] } },
    { type: 'Feature', properties: { level1_id: '11', name: 'Far away' }, geometry: { type: 'Polygon', coordinates: [[[10, 10], [11, 10], [11, 11], [10, 10]]] } },
    { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 1] } },
  ];
  const cases = [
    { name: 'all units, largest polygon of a MultiPolygon', selection: {}, expected: [['094', 'Thành phố Điện Biên Phủ', 5], ['11', 'Far away', 4]] },
    { name: 'only units overlapping the extract', selection: { within: [[1, 1], [2, 2]] as [[number, number], [number, number]] }, expected: [['094', 'Thành phố Điện Biên Phủ', 5]] },
    { name: 'clipped to the extract', selection: { within: [[1, 1], [2, 2]] as [[number, number], [number, number]], clip: true }, expected: [['094', 'Thành phố Điện Biên Phủ', 5]] },
  ];
  it.each(cases)('$name', ({ selection, expected }) => {
    const districts = districtsFromBoundaries(features, selection);
    expect(districts.map((district) => [district.code, district.name, district.boundary.length])).toEqual(expected);
    if ('clip' in selection) expect(districts[0]?.boundary.every(([x, y]) => x >= 1 && x <= 2 && y >= 1 && y <= 2)).toBe(true);
  });
});

describe('site framing and points', () => {
  it('zooms to fit an extent', () => {
    expect(zoomToFit([[106.686, 10.78], [106.697, 10.791]])).toBe(15.5);
    expect(zoomToFit([[102, 8], [110, 23]])).toBeLessThanOrEqual(6);
  });

  it('reads points from GeoJSON or a plain list, dropping bad positions', () => {
    const geojson = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', id: 'node/411918820', properties: {}, geometry: { type: 'Point', coordinates: [106.68, 10.78] } }] });
    expect(readPoints(geojson, 'camera')).toEqual([{ id: 'node-411918820', name: 'camera 1', location: { type: 'Point', coordinates: [106.68, 10.78] } }]);
    expect(readPoints(JSON.stringify([{ id: 'a', name: 'Ngã tư', lng: 106, lat: 10 }, { id: 'b', lng: 500, lat: 0 }]), 'camera').map((point) => point.id)).toEqual(['a']);
  });
});

/** Encodes one blob the way osmium/osmosis write them: [length][BlobHeader][Blob{zlib_data}]. */
function blob(type: string, message: Uint8Array): Buffer {
  const body = PBF_TYPES.Blob.encode(PBF_TYPES.Blob.fromObject({ raw_size: message.length, zlib_data: deflateSync(message) })).finish();
  const header = PBF_TYPES.BlobHeader.encode(PBF_TYPES.BlobHeader.fromObject({ type, datasize: body.length })).finish();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, body]);
}

describe('OSM PBF', () => {
  it('decodes DenseNodes (delta-coded, with tags) and ways with delta refs and a string table', () => {
    const strings = ['', 'highway', 'primary', 'name', 'Lê Duẩn', 'traffic_signals'].map((text) => Buffer.from(text));
    // Granularity 100 nanodegrees, offsets 0: raw = degrees × 1e7.
    const block = PBF_TYPES.PrimitiveBlock.fromObject({
      stringtable: { s: strings },
      granularity: 100,
      primitivegroup: [
        { dense: { id: [1001, 1, 1], lat: [107_800_000, 10_000, 10_000], lon: [1_066_900_000, 10_000, 0], keys_vals: [0, 1, 5, 0, 0] } },
        { ways: [{ id: 77, keys: [1, 3], vals: [2, 4], refs: [1001, 1, 1] }] },
      ],
    });
    const header = PBF_TYPES.HeaderBlock.fromObject({ bbox: { left: 106_680_000_000, right: 106_700_000_000, top: 10_790_000_000, bottom: 10_770_000_000 }, required_features: ['OsmSchema-V0.6', 'DenseNodes'] });
    const file = Buffer.concat([blob('OSMHeader', PBF_TYPES.HeaderBlock.encode(header).finish()), blob('OSMData', PBF_TYPES.PrimitiveBlock.encode(block).finish())]);

    const data = parseOsmPbf(file);
    expect(data.bounds).toEqual([[106.68, 10.77], [106.7, 10.79]]);
    expect([...data.nodes.keys()]).toEqual([1001, 1002, 1003]);
    expect(data.nodes.get(1002)?.[0]).toBeCloseTo(106.691, 9);
    expect(data.nodes.get(1003)?.[1]).toBeCloseTo(10.782, 9);
    expect(data.nodeTags.get(1002)).toEqual({ highway: 'traffic_signals' });
    expect(data.nodeTags.has(1001)).toBe(false);
    expect(data.ways).toEqual([{ id: 77, nodeIds: [1001, 1002, 1003], tags: { highway: 'primary', name: 'Lê Duẩn' } }]);
    expect(roadsFromOsm(data).features[0]?.properties).toMatchObject({ class: 'primary', name: 'Lê Duẩn' });
  });

  it('reports a truncated file', () => {
    const whole = blob('OSMData', PBF_TYPES.PrimitiveBlock.encode(PBF_TYPES.PrimitiveBlock.fromObject({})).finish());
    expect(() => parseOsmPbf(whole.subarray(0, whole.length - 3))).toThrow(/truncated/);
  });
});
