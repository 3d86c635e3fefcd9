import { iocError, type IocError } from '@ioc/schemas';

/**
 * Every shape or argument problem in this package is reported the same way: the path of the offending
 * value, what was expected and what was found, under the stable code IOC_ERR_VALIDATION.
 * Example: "decodeYolov8 output.dims: expected [1, 4 + classes, anchors], got [1, 8400, 84]".
 */
export function shapeError(path: string, expected: string, actual: string): IocError {
  const reason = `expected ${expected}, got ${actual}`;
  return iocError('IOC_ERR_VALIDATION', `${path}: ${reason}`, { issues: [{ path, reason }] });
}

/** Dims as a person reads them: [1, 84, 8400]. */
export function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

export function describeLength(value: { length: number } | undefined): string {
  return value === undefined ? 'nothing' : `length ${value.length}`;
}
