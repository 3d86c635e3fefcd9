import type { z } from 'zod';
import { iocError, type FieldIssue, type IocError } from './errors';

/** Turns zod issues into `{path, reason}` pairs a person can act on ("readings.3.value: expected number, received string"). */
export function toFieldIssues(error: z.ZodError, pathPrefix: (string | number)[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...pathPrefix, ...issue.path].map(String).join('.') || '(root)',
    reason: issue.message,
  }));
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: IocError };

/** Parses with a schema and returns a coded validation error instead of throwing. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string, pathPrefix: (string | number)[] = []): ParseResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issues = toFieldIssues(result.error, pathPrefix);
  const first = issues[0];
  const message = first ? `Invalid ${what}: ${first.path}: ${first.reason}` : `Invalid ${what}`;
  return { ok: false, error: iocError('IOC_ERR_VALIDATION', message, { issues }) };
}
