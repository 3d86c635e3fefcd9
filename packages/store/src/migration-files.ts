import { createHash } from 'node:crypto';
import { iocError } from '@ioc/schemas';

/**
 * Migration files are `NNN_name.sql` (both paths), or `NNN_name.timescale.sql` and `NNN_name.plain.sql` where
 * TimescaleDB and plain PostgreSQL need different SQL for the same step. Pure functions, tested without a database.
 */
export type StorePath = 'timescale' | 'plain';

export interface MigrationFileName {
  /** The three-digit number: the identity of the step, recorded in `ioc_migrations.id`. */
  id: string;
  fileName: string;
  variant: StorePath | 'both';
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+?)(?:\.(timescale|plain))?\.sql$/;

export function parseMigrationFileName(fileName: string): MigrationFileName | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) return undefined;
  return { id: match[1] as string, fileName, variant: (match[3] as StorePath | undefined) ?? 'both' };
}

/**
 * The files to apply on one path, in order. Every `.sql` file must follow the naming rule, and a step is
 * either one file for both paths or exactly one file per path: anything else is a mistake we stop on.
 */
export function selectMigrations(fileNames: readonly string[], storePath: StorePath): MigrationFileName[] {
  const byId = new Map<string, MigrationFileName[]>();
  for (const fileName of fileNames) {
    if (!fileName.endsWith('.sql')) continue;
    const parsed = parseMigrationFileName(fileName);
    if (!parsed) throw iocError('IOC_ERR_MIGRATION', `Migration file ${fileName} is not named NNN_name.sql, NNN_name.timescale.sql or NNN_name.plain.sql`);
    byId.set(parsed.id, [...(byId.get(parsed.id) ?? []), parsed]);
  }
  const selected: MigrationFileName[] = [];
  for (const id of [...byId.keys()].sort()) {
    const files = byId.get(id) as MigrationFileName[];
    const both = files.filter((file) => file.variant === 'both');
    const timescale = files.filter((file) => file.variant === 'timescale');
    const plain = files.filter((file) => file.variant === 'plain');
    if (both.length === 1 && files.length === 1) {
      selected.push(both[0] as MigrationFileName);
    } else if (both.length === 0 && timescale.length === 1 && plain.length === 1) {
      selected.push((storePath === 'timescale' ? timescale[0] : plain[0]) as MigrationFileName);
    } else {
      throw iocError('IOC_ERR_MIGRATION', `Migration step ${id} must be one NNN_name.sql, or one .timescale.sql plus one .plain.sql; found ${files.map((file) => file.fileName).join(', ')}`);
    }
  }
  return selected;
}

/** sha256 of the file with line endings normalised, so a checkout with CRLF does not look like an edit. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** TimescaleDB continuous aggregates cannot be created inside a transaction: such files opt out on line one. */
export function runsOutsideTransaction(sql: string): boolean {
  const firstLine = sql.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return /^--\s*ioc:no-transaction\s*$/.test(firstLine.trim());
}

/**
 * Splits SQL into statements at top-level semicolons, respecting quotes, dollar quotes and comments. Needed
 * for files run outside a transaction: several statements sent in one query string form one implicit
 * transaction, which is exactly what such files must avoid.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let index = 0;
  while (index < sql.length) {
    const character = sql[index] as string;
    const next = sql[index + 1];
    if (character === '-' && next === '-') {
      const end = sql.indexOf('\n', index);
      const stop = end === -1 ? sql.length : end + 1;
      current += sql.slice(index, stop);
      index = stop;
    } else if (character === '/' && next === '*') {
      const end = sql.indexOf('*/', index + 2);
      const stop = end === -1 ? sql.length : end + 2;
      current += sql.slice(index, stop);
      index = stop;
    } else if (character === "'" || character === '"') {
      let stop = index + 1;
      while (stop < sql.length) {
        if (sql[stop] === character) {
          if (sql[stop + 1] === character) stop += 2; // doubled quote inside the literal
          else break;
        } else stop += 1;
      }
      current += sql.slice(index, stop + 1);
      index = stop + 1;
    } else if (character === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(index))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, index + tag.length);
        const stop = end === -1 ? sql.length : end + tag.length;
        current += sql.slice(index, stop);
        index = stop;
      } else {
        current += character;
        index += 1;
      }
    } else if (character === ';') {
      if (hasCode(current)) statements.push(current.trim());
      current = '';
      index += 1;
    } else {
      current += character;
      index += 1;
    }
  }
  if (hasCode(current)) statements.push(current.trim());
  return statements;
}

function hasCode(sql: string): boolean {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim().length > 0;
}
