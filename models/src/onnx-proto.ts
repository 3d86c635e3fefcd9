import protobuf from 'protobufjs';

/**
 * A minimal ONNX writer: the subset of onnx.proto3 that a converted inference graph needs, encoded with
 * protobufjs reflection. Field numbers are those of onnx/onnx.proto3 (checked against onnx/onnx main);
 * fields we never write are left out, which protobuf allows.
 */
const ONNX_PROTO_SUBSET = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
`;

/** ONNX TensorProto.DataType values that this writer produces. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** ir_version 8 is what ONNX 1.10–1.12 write; every onnxruntime since 1.10 reads it. */
export const ONNX_IR_VERSION = 8;
/** Opset 17: Split/Pad/Resize take their parameters as inputs; Reshape has `allowzero`. */
export const ONNX_OPSET_VERSION = 17;

/** A constant tensor; `rawData` is little-endian, as ONNX raw_data requires. */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataTypeCode;
  dims: readonly number[];
  rawData: Uint8Array;
}

export type OnnxAttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'ints'; value: readonly number[] };

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttributeValue>;
}

/** A graph input or output: a tensor's name, element type and static shape (a string names a symbolic dim). */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataTypeCode;
  dims: readonly (number | string)[];
  docString?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  graph: OnnxGraph;
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** Written as metadata_props in the given order (keep it stable: the bytes are hashed). */
  metadata?: readonly (readonly [string, string])[];
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

let cachedModelType: protobuf.Type | undefined;
function modelProtoType(): protobuf.Type {
  cachedModelType ??= protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return cachedModelType;
}

function tensorMessage(tensor: OnnxTensor): Record<string, unknown> {
  return { dims: [...tensor.dims], data_type: tensor.dataType, name: tensor.name, raw_data: tensor.rawData };
}

function attributeMessage(name: string, attribute: OnnxAttributeValue): Record<string, unknown> {
  const message: Record<string, unknown> = { name, type: ATTRIBUTE_TYPE[attribute.type] };
  switch (attribute.type) {
    case 'float':
      message.f = attribute.value;
      break;
    case 'int':
      message.i = attribute.value;
      break;
    case 'string':
      message.s = new TextEncoder().encode(attribute.value);
      break;
    case 'tensor':
      message.t = tensorMessage(attribute.value);
      break;
    case 'floats':
      message.floats = [...attribute.value];
      break;
    case 'ints':
      message.ints = [...attribute.value];
      break;
  }
  return message;
}

function valueInfoMessage(info: OnnxValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensor_type: {
        elem_type: info.elemType,
        shape: { dim: info.dims.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })) },
      },
    },
    ...(info.docString ? { doc_string: info.docString } : {}),
  };
}

/**
 * Serialises a model. The bytes depend only on the arguments: attributes are written sorted by name, everything
 * else in the order given, so the same graph always hashes the same.
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = model.graph;
  const message = {
    ir_version: ONNX_IR_VERSION,
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    ...(model.docString ? { doc_string: model.docString } : {}),
    opset_import: [{ domain: '', version: ONNX_OPSET_VERSION }],
    metadata_props: (model.metadata ?? []).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      ...(graph.docString ? { doc_string: graph.docString } : {}),
      node: graph.nodes.map((node) => ({
        input: node.inputs,
        output: node.outputs,
        name: node.name,
        op_type: node.opType,
        attribute: Object.keys(node.attributes)
          .sort()
          .map((attributeName) => attributeMessage(attributeName, node.attributes[attributeName] as OnnxAttributeValue)),
      })),
      initializer: graph.initializers.map(tensorMessage),
      input: graph.inputs.map(valueInfoMessage),
      output: graph.outputs.map(valueInfoMessage),
    },
  };
  const type = modelProtoType();
  const problem = type.verify(message);
  if (problem) throw new Error(`ONNX model message is invalid: ${problem}`);
  return type.encode(type.fromObject(message)).finish();
}

/** Decodes what `encodeOnnxModel` wrote (for tests and inspection); int64 fields come back as numbers. */
export function decodeOnnxModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: false });
}
