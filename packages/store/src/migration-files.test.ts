import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { MIGRATIONS_DIRECTORY } from './migrate';
import { migrationChecksum, parseMigrationFileName, runsOutsideTransaction, selectMigrations, splitSqlStatements } from './migration-files';

describe('migration files', () => {
  it.each([
    { fileName: '001_core.sql', expected: { id: '001', variant: 'both' } },
    { fileName: '002_aggregates.timescale.sql', expected: { id: '002', variant: 'timescale' } },
    { fileName: '002_aggregates.plain.sql', expected: { id: '002', variant: 'plain' } },
    { fileName: '1_core.sql', expected: undefined },
    { fileName: '001-core.sql', expected: undefined },
    { fileName: '001_core.mysql.sql', expected: undefined },
  ])('parses $fileName', ({ fileName, expected }) => {
    const parsed = parseMigrationFileName(fileName);
    expect(parsed ? { id: parsed.id, variant: parsed.variant } : undefined).toEqual(expected);
  });

  const files = ['003_views.plain.sql', '001_core.sql', 'README.md', '002_series.timescale.sql', '003_views.timescale.sql', '002_series.plain.sql'];

  it.each([
    { storePath: 'plain' as const, expected: ['001_core.sql', '002_series.plain.sql', '003_views.plain.sql'] },
    { storePath: 'timescale' as const, expected: ['001_core.sql', '002_series.timescale.sql', '003_views.timescale.sql'] },
  ])('selects the $storePath path in number order', ({ storePath, expected }) => {
    expect(selectMigrations(files, storePath).map((file) => file.fileName)).toEqual(expected);
  });

  it.each([
    { name: 'a variant without its partner', files: ['001_core.sql', '002_series.timescale.sql'] },
    { name: 'a common file beside a variant', files: ['002_series.sql', '002_series.plain.sql', '002_series.timescale.sql'] },
    { name: 'two files with one number', files: ['001_core.sql', '001_more.sql'] },
    { name: 'a badly named SQL file', files: ['001_core.sql', 'fix.sql'] },
  ])('rejects $name with IOC_ERR_MIGRATION', ({ files: names }) => {
    expect(() => selectMigrations(names, 'plain')).toThrow(expect.objectContaining({ code: 'IOC_ERR_MIGRATION' }));
  });

  it('the shipped migrations form a complete set on both paths', () => {
    const names = readdirSync(MIGRATIONS_DIRECTORY);
    const plain = selectMigrations(names, 'plain');
    const timescale = selectMigrations(names, 'timescale');
    expect(plain.map((file) => file.id)).toEqual(timescale.map((file) => file.id));
    expect(plain.every((file) => file.variant !== 'timescale')).toBe(true);
    // The continuous aggregates file must opt out of the transaction; the plain one need not.
    const aggregates = timescale.find((file) => file.fileName.includes('aggregates'));
    expect(aggregates && runsOutsideTransaction(readFileSync(`${MIGRATIONS_DIRECTORY}/${aggregates.fileName}`, 'utf8'))).toBe(true);
  });

  it('checksums ignore CRLF but see any other change', () => {
    expect(migrationChecksum('CREATE TABLE a ();\r\n')).toBe(migrationChecksum('CREATE TABLE a ();\n'));
    expect(migrationChecksum('CREATE TABLE a ();\n')).not.toBe(migrationChecksum('CREATE TABLE b ();\n'));
    expect(migrationChecksum('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    { sql: '-- ioc:no-transaction\nSELECT 1;', expected: true },
    { sql: '--ioc:no-transaction\r\nSELECT 1;', expected: true },
    { sql: 'SELECT 1;\n-- ioc:no-transaction', expected: false },
    { sql: '-- ioc:no-transaction please\nSELECT 1;', expected: false },
  ])('no-transaction marker on line one only: $expected', ({ sql, expected }) => {
    expect(runsOutsideTransaction(sql)).toBe(expected);
  });

  it('splits statements at top-level semicolons only', () => {
    const sql = `-- a comment; with a semicolon
CREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int);
/* block; comment */ SELECT 'it''s; fine';
CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;
SELECT $$a;b$$;
-- trailing comment only`;
    expect(splitSqlStatements(sql)).toEqual([
      `-- a comment; with a semicolon\nCREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int)`,
      `/* block; comment */ SELECT 'it''s; fine'`,
      'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql',
      'SELECT $$a;b$$',
    ]);
  });
});
