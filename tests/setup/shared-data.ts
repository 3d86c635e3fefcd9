import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real footage, photos and geodata live beside the repository in `../shared/data` (never copied in: licences).
 * `IOC_SHARED_DATA` points elsewhere. Tests that need them skip — loudly, with this reason in their title and
 * on stderr — only when the folder is absent; CI always has it.
 */
export const SHARED_DATA_DIRECTORY = process.env.IOC_SHARED_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

export const sharedDataMissingReason: string | undefined = existsSync(path.join(SHARED_DATA_DIRECTORY, 'README.md'))
  ? undefined
  : `(SKIPPED: shared data folder ${SHARED_DATA_DIRECTORY} is absent; set IOC_SHARED_DATA)`;

if (sharedDataMissingReason) process.stderr.write(`\n*** ${sharedDataMissingReason} ***\n\n`);
