/**
 * PostgreSQL COPY text format (the default of `COPY … FROM STDIN`): one row per line, fields separated by a
 * tab, `\N` for NULL, and a backslash escape for backslash, tab, newline and carriage return. Pure, so the
 * escaping is tested without a database.
 */
export type CopyField = string | number | null | undefined;

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

/**
 * Escapes one text value. A NUL character cannot be stored in a PostgreSQL text value at all, so it becomes
 * U+FFFD (the replacement character) rather than failing the whole batch.
 */
export function escapeCopyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (character) => ESCAPES[character] as string);
}

export function copyField(value: CopyField): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') {
    // String(number) gives `NaN`, `Infinity`, `-Infinity` and exponent forms, all of which float8 input accepts.
    return String(value);
  }
  return escapeCopyText(value);
}

/** One row, newline-terminated. */
export function copyTextRow(fields: readonly CopyField[]): string {
  let line = '';
  for (let index = 0; index < fields.length; index += 1) {
    if (index > 0) line += '\t';
    line += copyField(fields[index]);
  }
  return `${line}\n`;
}

/** Epoch milliseconds as an ISO-8601 UTC timestamp, which timestamptz input reads exactly (to the millisecond). */
export function copyTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
