import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real `ioc` processes for tests (scale-out, faults): `node --import tsx infra/src/bin/ioc.ts <command>` with its own config
 * file and environment, JSON log lines collected as they come. A test can wait for a line, read the API's URL
 * from the log, and kill the process with any signal (SIGKILL for a crash, SIGTERM for a drain).
 */
export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const IOC_BIN = path.join(REPOSITORY_ROOT, 'infra/src/bin/ioc.ts');

export interface LogLine {
  level?: number;
  msg?: string;
  module?: string;
  [key: string]: unknown;
}

export interface IocProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every JSON log line so far (stdout and stderr), oldest first. */
  readonly lines: LogLine[];
  /** Non-JSON output (stack traces, usage): kept for failure messages. */
  readonly text: string[];
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  readonly running: boolean;
  /** The first line for which `match` holds, waiting up to `timeoutMs` (rejects with the process's last output). */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The API's base URL, from its "API and wall listening" line (ioc start and ioc api). */
  waitForUrl(timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnIocOptions {
  /** A label for messages, e.g. `ingest-1`. */
  name: string;
  /** The config file's content (written to a temporary file and passed as IOC_CONFIG). */
  config: Record<string, unknown>;
  /** Extra environment: DATABASE_URL, MQTT_URL, IOC_WORKER_ID … (process.env is inherited). */
  env?: Record<string, string>;
  args?: string[];
}

/** Starts `ioc <command>` as a child process. Log level comes from the config (`log.level`, default info). */
export function spawnIoc(command: string, options: SpawnIocOptions): IocProcess {
  const directory = mkdtempSync(path.join(tmpdir(), `ioc-proc-${options.name}-`));
  const configPath = path.join(directory, 'ioc.config.json');
  writeFileSync(configPath, JSON.stringify({ log: { level: 'info' }, ...options.config }));
  // node with tsx as a loader, not the tsx CLI: the CLI runs the program in a child process, so a signal to it
  // (SIGKILL above all) would not reach the process that does the work.
  const child = spawn(process.execPath, ['--import', 'tsx', IOC_BIN, command, ...(options.args ?? [])], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, ...options.env, IOC_CONFIG: configPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let running = true;
  const take = (chunkText: string): void => {
    for (const raw of chunkText.split('\n')) {
      if (!raw.trim()) continue;
      let line: LogLine | undefined;
      if (raw.startsWith('{')) {
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          line = undefined;
        }
      }
      if (!line) {
        text.push(raw);
        if (text.length > 200) text.shift();
        continue;
      }
      lines.push(line);
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  };
  const buffers = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      const joined = buffers[stream] + chunk;
      const end = joined.lastIndexOf('\n');
      buffers[stream] = end === -1 ? joined : joined.slice(end + 1);
      if (end !== -1) take(joined.slice(0, end));
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      take(buffers.stdout + '\n' + buffers.stderr);
      resolve(code ?? signal ?? 'unknown');
    });
  });

  const lastOutput = (): string => [...lines.slice(-10).map((line) => JSON.stringify(line)), ...text.slice(-20)].join('\n');

  const handle: IocProcess = {
    name: options.name,
    child,
    lines,
    text,
    exited,
    get running() {
      return running;
    },
    waitForLine(match, timeoutMs = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<LogLine>((resolve, reject) => {
        const waiter = { match, resolve: (line: LogLine) => { clearTimeout(timer); resolve(line); } };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${options.name}: no matching log line within ${timeoutMs} ms; last output:\n${lastOutput()}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${options.name}: exited (${code}) before the expected log line; last output:\n${lastOutput()}`));
        });
      });
    },
    async waitForUrl(timeoutMs = 90_000) {
      const line = await handle.waitForLine((entry) => entry.msg === 'API and wall listening' && typeof entry.url === 'string', timeoutMs);
      return line.url as string;
    },
    async kill(signal = 'SIGTERM') {
      if (running) child.kill(signal);
      return await exited;
    },
  };
  return handle;
}
