import { inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { emptyOsmData, type OsmData, type OsmRelationMember, type OsmTags } from './osm';

/**
 * The OSM PBF format (https://wiki.openstreetmap.org/wiki/PBF_Format): a sequence of [4-byte big-endian length,
 * BlobHeader, Blob]; each `OSMData` blob holds a zlib-compressed PrimitiveBlock of nodes (usually DenseNodes),
 * ways and relations with a per-block string table. Only the fields a site pack uses are declared; protobufjs
 * skips the rest (Info, DenseInfo, changesets). Fields are `optional` here where the format says `required`:
 * the wire format is the same, and a writer that leaves one out still gives us what it has.
 */
export const OSM_PBF_PROTO = `
syntax = "proto2";
package osmpbf;
message BlobHeader { optional string type = 1; optional bytes indexdata = 2; optional int32 datasize = 3; }
message Blob { optional bytes raw = 1; optional int32 raw_size = 2; optional bytes zlib_data = 3; optional bytes lzma_data = 4; optional bytes zstd_data = 7; }
message HeaderBBox { optional sint64 left = 1; optional sint64 right = 2; optional sint64 top = 3; optional sint64 bottom = 4; }
message HeaderBlock { optional HeaderBBox bbox = 1; repeated string required_features = 4; }
message StringTable { repeated bytes s = 1; }
message Node { optional sint64 id = 1; repeated uint32 keys = 2 [packed = true]; repeated uint32 vals = 3 [packed = true]; optional sint64 lat = 8; optional sint64 lon = 9; }
message DenseNodes { repeated sint64 id = 1 [packed = true]; repeated sint64 lat = 8 [packed = true]; repeated sint64 lon = 9 [packed = true]; repeated int32 keys_vals = 10 [packed = true]; }
message Way { optional int64 id = 1; repeated uint32 keys = 2 [packed = true]; repeated uint32 vals = 3 [packed = true]; repeated sint64 refs = 8 [packed = true]; }
message Relation {
  enum MemberType { NODE = 0; WAY = 1; RELATION = 2; }
  optional int64 id = 1; repeated uint32 keys = 2 [packed = true]; repeated uint32 vals = 3 [packed = true];
  repeated int32 roles_sid = 8 [packed = true]; repeated sint64 memids = 9 [packed = true]; repeated MemberType types = 10 [packed = true];
}
message PrimitiveGroup { repeated Node nodes = 1; optional DenseNodes dense = 2; repeated Way ways = 3; repeated Relation relations = 4; }
message PrimitiveBlock { optional StringTable stringtable = 1; repeated PrimitiveGroup primitivegroup = 2; optional int32 granularity = 17 [default = 100]; optional int64 lat_offset = 19 [default = 0]; optional int64 lon_offset = 20 [default = 0]; }
`;

const root = protobuf.parse(OSM_PBF_PROTO, { keepCase: true }).root;
export const PBF_TYPES = {
  BlobHeader: root.lookupType('osmpbf.BlobHeader'),
  Blob: root.lookupType('osmpbf.Blob'),
  HeaderBlock: root.lookupType('osmpbf.HeaderBlock'),
  PrimitiveBlock: root.lookupType('osmpbf.PrimitiveBlock'),
};

/** 64-bit fields as plain numbers: OSM ids and nano-degree offsets stay well inside 2^53. */
const AS_NUMBERS = { longs: Number, enums: Number, bytes: Buffer, defaults: true } as const;

interface PbfBlob {
  raw?: Uint8Array;
  raw_size?: number;
  zlib_data?: Uint8Array;
  lzma_data?: Uint8Array;
  zstd_data?: Uint8Array;
}
interface PbfPrimitiveBlock {
  stringtable?: { s?: Buffer[] };
  primitivegroup?: Array<{
    nodes?: Array<{ id: number; keys?: number[]; vals?: number[]; lat: number; lon: number }>;
    dense?: { id?: number[]; lat?: number[]; lon?: number[]; keys_vals?: number[] };
    ways?: Array<{ id: number; keys?: number[]; vals?: number[]; refs?: number[] }>;
    relations?: Array<{ id: number; keys?: number[]; vals?: number[]; roles_sid?: number[]; memids?: number[]; types?: number[] }>;
  }>;
  granularity: number;
  lat_offset: number;
  lon_offset: number;
}

function blobData(blob: PbfBlob): Uint8Array {
  if (blob.raw && blob.raw.length > 0) return blob.raw;
  if (blob.zlib_data && blob.zlib_data.length > 0) return inflateSync(blob.zlib_data);
  if (blob.lzma_data?.length || blob.zstd_data?.length) throw new Error('OSM PBF blob compressed with lzma/zstd: re-encode with zlib (e.g. osmium cat -f pbf,pbf_compression=zlib)');
  return new Uint8Array(0);
}

const MEMBER_TYPES: OsmRelationMember['type'][] = ['node', 'way', 'relation'];

/** Decodes a whole .osm.pbf file into the same shape as `parseOsmXml`. */
export function parseOsmPbf(buffer: Uint8Array): OsmData {
  const data = emptyOsmData();
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  while (offset + 4 <= buffer.length) {
    const headerLength = view.getUint32(offset, false);
    offset += 4;
    if (offset + headerLength > buffer.length) throw new Error(`truncated OSM PBF: blob header at byte ${offset - 4} runs past the end`);
    const header = PBF_TYPES.BlobHeader.toObject(PBF_TYPES.BlobHeader.decode(buffer.subarray(offset, offset + headerLength)), AS_NUMBERS) as { type?: string; datasize?: number };
    offset += headerLength;
    const size = header.datasize ?? 0;
    if (offset + size > buffer.length) throw new Error(`truncated OSM PBF: ${header.type ?? 'blob'} at byte ${offset} runs past the end`);
    const blob = PBF_TYPES.Blob.toObject(PBF_TYPES.Blob.decode(buffer.subarray(offset, offset + size)), { bytes: Buffer }) as PbfBlob;
    offset += size;
    const payload = blobData(blob);
    if (header.type === 'OSMHeader') {
      const block = PBF_TYPES.HeaderBlock.toObject(PBF_TYPES.HeaderBlock.decode(payload), AS_NUMBERS) as { bbox?: { left: number; right: number; top: number; bottom: number } };
      if (block.bbox && (block.bbox.left !== 0 || block.bbox.right !== 0)) {
        data.bounds = [
          [block.bbox.left / 1e9, block.bbox.bottom / 1e9],
          [block.bbox.right / 1e9, block.bbox.top / 1e9],
        ];
      }
    } else if (header.type === 'OSMData') {
      readPrimitiveBlock(PBF_TYPES.PrimitiveBlock.toObject(PBF_TYPES.PrimitiveBlock.decode(payload), AS_NUMBERS) as PbfPrimitiveBlock, data);
    }
  }
  return data;
}

function readPrimitiveBlock(block: PbfPrimitiveBlock, data: OsmData): void {
  const strings = (block.stringtable?.s ?? []).map((bytes) => Buffer.from(bytes).toString('utf8'));
  const granularity = block.granularity || 100;
  const longitude = (raw: number) => (block.lon_offset + granularity * raw) / 1e9;
  const latitude = (raw: number) => (block.lat_offset + granularity * raw) / 1e9;
  const tags = (keys: number[] | undefined, values: number[] | undefined): OsmTags => {
    const result: Record<string, string> = {};
    (keys ?? []).forEach((key, index) => {
      result[strings[key] ?? ''] = strings[values?.[index] ?? 0] ?? '';
    });
    return result;
  };
  for (const group of block.primitivegroup ?? []) {
    for (const node of group.nodes ?? []) {
      data.nodes.set(node.id, [longitude(node.lon), latitude(node.lat)]);
      if (node.keys?.length) data.nodeTags.set(node.id, tags(node.keys, node.vals));
    }
    const dense = group.dense;
    if (dense?.id?.length) {
      // Ids and coordinates are delta-coded; keys_vals is key,value,…,0 per node (0 ends a node's tags).
      let id = 0;
      let lat = 0;
      let lon = 0;
      let cursor = 0;
      const keysVals = dense.keys_vals ?? [];
      for (let index = 0; index < dense.id.length; index += 1) {
        id += dense.id[index] ?? 0;
        lat += dense.lat?.[index] ?? 0;
        lon += dense.lon?.[index] ?? 0;
        data.nodes.set(id, [longitude(lon), latitude(lat)]);
        if (keysVals.length > 0) {
          const nodeTags: Record<string, string> = {};
          let count = 0;
          while (cursor < keysVals.length && keysVals[cursor] !== 0) {
            nodeTags[strings[keysVals[cursor] as number] ?? ''] = strings[keysVals[cursor + 1] as number] ?? '';
            cursor += 2;
            count += 1;
          }
          cursor += 1;
          if (count > 0) data.nodeTags.set(id, nodeTags);
        }
      }
    }
    for (const way of group.ways ?? []) {
      let ref = 0;
      const nodeIds = (way.refs ?? []).map((delta) => (ref += delta));
      data.ways.push({ id: way.id, nodeIds, tags: tags(way.keys, way.vals) });
    }
    for (const relation of group.relations ?? []) {
      let ref = 0;
      const members = (relation.memids ?? []).map((delta, index) => ({
        type: MEMBER_TYPES[relation.types?.[index] ?? 0] ?? 'node',
        ref: (ref += delta),
        role: strings[relation.roles_sid?.[index] ?? 0] ?? '',
      }));
      data.relations.push({ id: relation.id, members, tags: tags(relation.keys, relation.vals) });
    }
  }
}
