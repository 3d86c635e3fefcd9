import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HashedFileStore, sha256Hex, sha256OfFile } from './hashed-file-store';

describe('HashedFileStore', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-hashed-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const store = new HashedFileStore(directory);

  it('names a file by the sha256 of its bytes, under a two-character folder, and writes it once', async () => {
    const bytes = Buffer.from('bằng chứng vi phạm');
    const sha256 = await store.put(bytes, 'jpg');
    expect(sha256).toBe(sha256Hex(bytes));
    const file = store.pathOf(sha256, 'jpg');
    expect(file).toBe(path.join(directory, sha256.slice(0, 2), `${sha256}.jpg`));
    const before = statSync(file).mtimeMs;
    // The same name again (even with other bytes claimed for it) leaves the file as it was.
    expect(await store.put(Buffer.from('other'), 'jpg', sha256)).toBe(sha256);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readdirSync(path.dirname(file))).toEqual([`${sha256}.jpg`]);
    expect(store.has(sha256, 'jpg')).toBe(true);
    expect(store.has(sha256, 'mp4')).toBe(false);
  });

  it.each([
    { case: 'untouched', change: (_file: string) => undefined, result: 'ok' },
    { case: 'a byte appended', change: (file: string) => appendFileSync(file, Buffer.from([0])), result: 'mismatch' },
    { case: 'deleted', change: (file: string) => unlinkSync(file), result: 'missing' },
  ])('verifies a stored file: $case → $result', async ({ case: label, change, result }) => {
    const sha256 = await store.put(Buffer.from(`clip ${label}`), 'mp4');
    const file = store.pathOf(sha256, 'mp4');
    change(file);
    const check = await store.verify(sha256, 'mp4');
    expect(check.result).toBe(result);
    expect(check.actualSha256).toBe(result === 'missing' ? null : await sha256OfFile(file));
  });

  it.each([
    ['not hex', 'z'.repeat(64), 'jpg'],
    ['too short', 'ab', 'jpg'],
    ['a path in the hash', `../${'a'.repeat(61)}`, 'jpg'],
    ['a path in the extension', 'a'.repeat(64), '../x'],
  ])('refuses a name that is not a hash and an extension (%s)', (_label, sha256, extension) => {
    expect(() => store.pathOf(sha256, extension)).toThrow(RangeError);
  });
});
