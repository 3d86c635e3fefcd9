import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const EXTENSION = /^[a-z0-9]{1,8}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of a file, streamed (clips are megabytes); undefined when there is no such file. */
export async function sha256OfFile(filePath: string): Promise<string | undefined> {
  if (!existsSync(filePath)) return undefined;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Files named by the sha256 of their bytes, under `<directory>/ab/<sha256>.<extension>`, written once and never
 * overwritten: citizens' photos (Open311) and violation evidence. A name that already exists is kept as it is,
 * so a second writer of the same bytes changes nothing, and a file altered on disk stays altered — the record's
 * hash, not the file, is the truth, and verification says so.
 */
export class HashedFileStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  pathOf(sha256: string, extension: string): string {
    if (!SHA256_HEX.test(sha256)) throw new RangeError(`not a sha256 hex digest: ${sha256.slice(0, 80)}`);
    if (!EXTENSION.test(extension)) throw new RangeError(`not a file extension: ${extension.slice(0, 20)}`);
    return path.join(this.directory, sha256.slice(0, 2), `${sha256}.${extension}`);
  }

  has(sha256: string, extension: string): boolean {
    return existsSync(this.pathOf(sha256, extension));
  }

  /**
   * Stores the bytes (hashed here unless the caller already did) and returns the hash. Written to a temporary
   * name, then linked into place: a reader never sees half a file, and an existing file is never replaced.
   */
  async put(bytes: Uint8Array, extension: string, knownSha256?: string): Promise<string> {
    const sha256 = knownSha256 ?? sha256Hex(bytes);
    const target = this.pathOf(sha256, extension);
    if (existsSync(target)) return sha256;
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, bytes, { flag: 'wx' });
    try {
      await link(temporary, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    return sha256;
  }

  /** Hashes the stored file again: `ok`, `mismatch` (with the hash found) or `missing`. */
  async verify(sha256: string, extension: string): Promise<{ result: 'ok' | 'mismatch' | 'missing'; actualSha256: string | null }> {
    const actual = await sha256OfFile(this.pathOf(sha256, extension));
    if (actual === undefined) return { result: 'missing', actualSha256: null };
    return { result: actual === sha256 ? 'ok' : 'mismatch', actualSha256: actual };
  }
}
