import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The operator's command line refuses a malformed number with a coded message naming the option, before any
 * work starts: a NaN score used to give every class precision and recall 0 without a word, a NaN thread count
 * reached onnxruntime. Run as an operator runs it (tsx, the real binary), exit code and stderr checked.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

async function ioc(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/src/bin/ioc.ts'), ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const failed = err as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

const evalArgs = ['eval-detector', '--images', '/nonexistent/images', '--labels', '/nonexistent/labels'];
const analyzeArgs = ['analyze', '--video', '/nonexistent/clip.mp4', '--line', '0,10,100,10'];

describe('ioc number options', () => {
  it.each([
    { args: [...evalArgs, '--score', 'abc'], message: '--score abc: expected a number in [0, 1]' },
    { args: [...evalArgs, '--score', '1.5'], message: '--score 1.5: expected a number in [0, 1]' },
    { args: [...evalArgs, '--precision-floor=-0.1'], message: '--precision-floor -0.1: expected a number in [0, 1]' },
    { args: [...evalArgs, '--min-box', ''], message: '--min-box : expected a number in [0, 10000]' },
    { args: [...evalArgs, '--threads', '0'], message: '--threads 0: expected a whole number in [1, 64]' },
    { args: [...analyzeArgs, '--threads', '1.5'], message: '--threads 1.5: expected a whole number in [1, 64]' },
    { args: [...analyzeArgs, '--threads', 'two'], message: '--threads two: expected a whole number in [1, 64]' },
  ])('$args.0 $args.5 → $message', async ({ args, message }) => {
    const { code, stderr } = await ioc(args);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`IOC_ERR_VALIDATION: ${message}`);
  });

  it.each([
    { args: [...evalArgs, '--bogus'], first: "IOC_ERR_VALIDATION: Unknown option '--bogus'" },
    { args: [...evalArgs, '--score', '-1'], first: "IOC_ERR_VALIDATION: Option '--score' argument is ambiguous." },
  ])('a parse error ($args.5) is a coded message, not a stack trace', async ({ args, first }) => {
    const { code, stderr } = await ioc(args);
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toBe(first);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
