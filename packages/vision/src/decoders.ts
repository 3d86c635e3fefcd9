import { decodeNanodet, type NanodetParams, type OutputTensor } from './decode-nanodet';
import { decodeYolov8, type Yolov8Params } from './decode-yolov8';
import type { Detections } from './detections';
import { shapeError } from './shape-error';

/**
 * Detector adapters behind one contract keyed by the model manifest's `type` (as Frigate's detector plugins):
 * every adapter takes the raw named outputs of one inference and returns `Detections` in model-input pixels.
 */
export interface DecoderParamsByType {
  nanodet: NanodetParams;
  yolov8: Yolov8Params & { outputName?: string };
  yolo11: Yolov8Params & { outputName?: string };
}

export type ModelType = keyof DecoderParamsByType;

export const MODEL_TYPES: readonly ModelType[] = ['nanodet', 'yolov8', 'yolo11'];

function singleOutput(outputs: Readonly<Record<string, OutputTensor>>, outputName: string | undefined): OutputTensor {
  const names = Object.keys(outputs);
  const name = outputName ?? (names.length === 1 ? names[0] : undefined);
  const tensor = name === undefined ? undefined : outputs[name];
  if (tensor === undefined) {
    throw shapeError(`outputs${outputName === undefined ? '' : `.${outputName}`}`, outputName === undefined ? 'exactly one output (or params.outputName)' : 'that output', `outputs ${names.join(', ') || '(none)'}`);
  }
  return tensor;
}

const DECODERS: { [Type in ModelType]: (outputs: Readonly<Record<string, OutputTensor>>, params: DecoderParamsByType[Type]) => Detections } = {
  nanodet: (outputs, params) => decodeNanodet(outputs, params),
  yolov8: (outputs, params) => decodeYolov8(singleOutput(outputs, params.outputName), params),
  yolo11: (outputs, params) => decodeYolov8(singleOutput(outputs, params.outputName), params),
};

export function decodeOutputs<Type extends ModelType>(
  type: Type,
  outputs: Readonly<Record<string, OutputTensor>>,
  params: DecoderParamsByType[Type] = {} as DecoderParamsByType[Type],
): Detections {
  const decoder = DECODERS[type] as ((outputs: Readonly<Record<string, OutputTensor>>, params: DecoderParamsByType[Type]) => Detections) | undefined;
  if (decoder === undefined) throw shapeError('model.type', `one of ${MODEL_TYPES.join(', ')}`, JSON.stringify(type));
  return decoder(outputs, params);
}
