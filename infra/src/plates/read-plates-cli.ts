import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { iocError } from '@ioc/schemas';
import { loadPlateGroundTruth, measurePlateAccuracy, readPlates } from '@ioc/ingest';

export const READ_PLATES_USAGE =
  'ioc read-plates --images DIR [--labels DIR] [--json] [--threads N]  |  ioc read-plates --truth FILE.json [--data DIR] [--json]';

/** The shared data folder beside the repository (IOC_SHARED_DATA overrides), as the tests find it. */
const DEFAULT_SHARED_DATA = process.env.IOC_SHARED_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/**
 * `ioc read-plates`: licence plates in a folder of images (labelled plate boxes or whole images), or, with
 * `--truth`, the share of transcribed plates read exactly.
 */
export async function readPlatesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string' },
      labels: { type: 'string' },
      truth: { type: 'string' },
      data: { type: 'string' },
      threads: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const threads = Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw iocError('IOC_ERR_VALIDATION', `--threads ${values.threads}: expected an integer 1–64`, { issues: [{ path: 'threads', reason: 'out of range' }] });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  if (values.truth) {
    const truth = loadPlateGroundTruth(values.truth);
    const accuracy = await measurePlateAccuracy(truth.plates, values.data ?? DEFAULT_SHARED_DATA, { threads, logger });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(accuracy)}\n`);
      return 0;
    }
    for (const outcome of accuracy.outcomes) {
      const mark = outcome.exact ? 'exact' : outcome.editDistance <= 1 ? '1 edit' : `${outcome.editDistance} edits`;
      process.stdout.write(`${outcome.image}\t${outcome.truth}\t${outcome.read ?? '(nothing)'}\t${mark}\t${outcome.confidence.toFixed(2)}\n`);
    }
    process.stdout.write('\n');
    for (const [source, counts] of Object.entries(accuracy.bySource)) {
      process.stdout.write(`${source}: ${counts.plates} plates, exact ${counts.exact} (${percent(counts.exact / counts.plates)}), within one edit ${counts.withinOneEdit} (${percent(counts.withinOneEdit / counts.plates)})\n`);
    }
    process.stdout.write(`all: ${accuracy.plates} plates (${accuracy.unreadableExcluded} more marked unreadable, not scored): exact ${accuracy.exact} (${percent(accuracy.exactShare)}), within one edit ${accuracy.withinOneEdit} (${percent(accuracy.withinOneEditShare)}), ${accuracy.meanReadMs.toFixed(0)} ms a plate\n`);
    process.stdout.write(`confidence ≥ ${accuracy.confident.threshold}: ${accuracy.confident.readings} readings, ${accuracy.confident.exact} exact\n`);
    return 0;
  }
  if (!values.images) throw iocError('IOC_ERR_VALIDATION', `ioc read-plates needs --images DIR (or --truth FILE)\n${READ_PLATES_USAGE}`, { issues: [{ path: 'images', reason: 'required' }] });
  const result = await readPlates({ imagesDirectory: values.images, ...(values.labels ? { labelsDirectory: values.labels } : {}), threads, logger });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  for (const image of result.images) {
    for (const plate of image.plates) {
      const reading = plate.reading;
      const where = reading ? reading.box.map((value) => Math.round(value)).join(',') : '';
      process.stdout.write(`${image.image}\t${reading ? (reading.normalised ?? `? ${reading.text}`) : '(no text)'}\t${reading ? reading.confidence.toFixed(2) : ''}\t${where}\n`);
    }
  }
  const summary = result.summary;
  process.stdout.write(`\n${summary.images} images, ${summary.plates} plates: text read on ${summary.read}, a Vietnamese plate shape on ${summary.normalised}; ${summary.meanReadMs.toFixed(0)} ms a plate\n`);
  return 0;
}
