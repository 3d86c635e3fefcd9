#!/usr/bin/env node
// `pnpm bench:wall` and `pnpm bench:wall-soak [--minutes N]`: the wall's benchmarks live in
// tests/wall-bench.test.ts (they need the test run's PostgreSQL, the built wall and Chromium); this starts
// Vitest on that file with the switch that enables the one asked for, and passes the soak's duration.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values, positionals } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, dist: { type: 'string' } }, allowPositionals: true });
const which = positionals[0];
if (which !== 'bench' && which !== 'soak') {
  process.stderr.write('usage: run.mjs bench | soak [--minutes N] [--dist DIR]\n');
  process.exit(2);
}
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  process.stderr.write(`--minutes ${values.minutes}: expected a positive number\n`);
  process.exit(2);
}
// The soak serves a private copy of the built wall: others rebuild dashboards/wall/dist while it runs for an
// hour. The copy is taken under the build lock the team's builds hold (flock), so it is never half-written.
// `--dist DIR`: soak another build of the wall (e.g. one made aside while dist does not build).
const dist = values.dist ? path.resolve(values.dist) : path.join(root, 'dashboards', 'wall', 'dist');
let wallCopy;
if (which === 'soak') {
  if (!existsSync(path.join(dist, 'index.html'))) {
    process.stderr.write(`${dist} has no index.html: run \`pnpm --filter @ioc/wall build\` first\n`);
    process.exit(2);
  }
  wallCopy = mkdtempSync(path.join(tmpdir(), 'ioc-wall-soak-dist-'));
  const locked = spawnSync('flock', ['/tmp/wall-build.lock', 'cp', '-a', `${dist}/.`, wallCopy], { stdio: 'inherit' });
  if (locked.error || locked.status !== 0) cpSync(dist, wallCopy, { recursive: true });
  process.stdout.write(`soak: serving a copy of ${dist} from ${wallCopy}\n`);
}
const env = { ...process.env, ...(which === 'bench' ? { IOC_WALL_BENCH: '1' } : { IOC_WALL_SOAK_MINUTES: String(minutes), IOC_WALL_DIRECTORY: wallCopy }) };
const timeoutMs = which === 'bench' ? 600_000 : Math.round((minutes + 5) * 60_000);
const result = spawnSync(
  path.join(root, 'node_modules', '.bin', 'vitest'),
  ['run', '--project', 'integration', 'tests/wall-bench.test.ts', `--testTimeout=${timeoutMs}`, '--reporter=verbose'],
  { cwd: root, stdio: 'inherit', env },
);
if (wallCopy) rmSync(wallCopy, { recursive: true, force: true });
process.exit(result.status ?? 1);
