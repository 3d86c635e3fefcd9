import type { Logger } from 'pino';
import { dossierEventSchema, iocError, isIocError, parseWith, type DossierBatchResult, type DossierEvent, type DossierImportResult } from '@ioc/schemas';
import { isConnectionError } from '@ioc/store';
import { readDossierFile, type DossierFileFormat } from './dossier-file';

/** Where dossier events go (the store's `DossierRepository`): idempotent, and says how many were new. */
export interface DossierEventSink {
  writeEvents(events: DossierEvent[]): Promise<{ stored: number }>;
}

/** Events per write: one transaction each, so a long import commits as it goes and a failure loses little. */
const EVENTS_PER_WRITE = 5000;
/** Rows of one imported file: a year's export of a large province's agency fits. */
export const MAX_DOSSIER_IMPORT_ROWS = 200_000;

/**
 * Validates dossier events where they enter (webhook batches and imported files) and writes the valid ones.
 * Writes go straight to the database (no outbox): a caller is told "accepted" only once the events are
 * committed, and while the database is away gets 503 IOC_ERR_DATABASE_UNAVAILABLE so it sends again later —
 * resending is safe, events are stored once.
 */
export class DossierIngest {
  readonly #sink: DossierEventSink;
  readonly #logger: Logger;

  constructor(options: { sink: DossierEventSink; logger: Logger }) {
    this.#sink = options.sink;
    this.#logger = options.logger.child({ module: 'dossier-ingest' });
  }

  /** Each item on its own: a bad item is reported by index and does not stop the others. */
  async acceptBatch(items: readonly unknown[]): Promise<DossierBatchResult> {
    const events: DossierEvent[] = [];
    const rejected: DossierBatchResult['rejected'] = [];
    items.forEach((item, index) => {
      const parsed = parseWith(dossierEventSchema, item, 'dossier event');
      if (parsed.ok) events.push(parsed.value);
      else rejected.push({ index, code: parsed.error.code, issues: [...parsed.error.issues] });
    });
    const { stored } = await this.#write(events);
    this.#logger.debug({ accepted: events.length, stored, rejected: rejected.length }, 'dossier events batch');
    return { accepted: events.length, stored, rejected };
  }

  /** A CSV or XLSX export: good rows are stored, bad rows reported with row number and column. */
  async importFile(bytes: Buffer, format: DossierFileFormat): Promise<DossierImportResult> {
    const file = await readDossierFile(bytes, format, { maxRows: MAX_DOSSIER_IMPORT_ROWS });
    const { stored } = await this.#write(file.events);
    this.#logger.info({ format, rows: file.rows, accepted: file.events.length, stored, rejectedRows: new Set(file.rejected.map((row) => row.row)).size }, 'dossier file imported');
    return { format, rows: file.rows, accepted: file.events.length, stored, rejected: file.rejected };
  }

  async #write(events: DossierEvent[]): Promise<{ stored: number }> {
    let stored = 0;
    try {
      for (let start = 0; start < events.length; start += EVENTS_PER_WRITE) {
        stored += (await this.#sink.writeEvents(events.slice(start, start + EVENTS_PER_WRITE))).stored;
      }
    } catch (err) {
      if (isIocError(err)) throw err;
      if (isConnectionError(err)) {
        throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `The database cannot be reached; ${stored} of ${events.length} events were stored. Send them again later (resending is safe).`, { cause: err });
      }
      throw err;
    }
    return { stored };
  }
}
