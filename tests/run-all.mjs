#!/usr/bin/env node
// The project's test command (`pnpm test`): typecheck, lint, then every Vitest project, ending with one line
// `N passed, N failed` (CI reads it). Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function step(label, command, args) {
  process.stdout.write(`\n== ${label}: ${[path.basename(command), ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  return result.status === 0;
}

let extraFailures = 0;
if (!step('typecheck', bin('tsc'), ['-b'])) extraFailures += 1;
if (!step('lint', bin('eslint'), ['.'])) extraFailures += 1;

const reportPath = path.join(artifacts, 'vitest-report.json');
const vitestOk = step('tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites && !report.numFailedTests ? report.numFailedTestSuites : 0);
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} else if (!vitestOk) {
  failed += 1;
}
// Typecheck and lint count as one test each, so a red build can never print "0 failed".
passed += 2 - extraFailures;
failed += extraFailures;
if (!vitestOk && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
