#!/usr/bin/env node
// `pnpm bench:wall` and `pnpm bench:wall-soak [--minutes N]`: the wall's benchmarks live in
// tests/wall-bench.test.ts (they need the test run's PostgreSQL, the built wall and Chromium); this starts
// Vitest on that file with the switch that enables the one asked for, and passes the soak's duration.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values, positionals } = parseArgs({ options: { minutes: { type: 'string', default: '60' } }, allowPositionals: true });
const which = positionals[0];
if (which !== 'bench' && which !== 'soak') {
  process.stderr.write('usage: run.mjs bench | soak [--minutes N]\n');
  process.exit(2);
}
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  process.stderr.write(`--minutes ${values.minutes}: expected a positive number\n`);
  process.exit(2);
}
const env = { ...process.env, ...(which === 'bench' ? { IOC_WALL_BENCH: '1' } : { IOC_WALL_SOAK_MINUTES: String(minutes) }) };
const timeoutMs = which === 'bench' ? 600_000 : Math.round((minutes + 5) * 60_000);
const result = spawnSync(
  path.join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--project', 'integration', 'tests/wall-bench.test.ts', `--testTimeout=${timeoutMs}`, '--reporter=verbose'],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
