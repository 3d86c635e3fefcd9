import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MOSQUITTO, freePort, waitForPort } from './global-setup';

/**
 * A Mosquitto of one test's own, for the tests that kill and restart the broker (the run's shared one must never
 * be). Persistence on, as infra/deploy/compose/mosquitto.conf has it, with a short autosave so that a broker killed
 * with SIGKILL still has the sessions made a few seconds before.
 */
export interface OwnMosquitto {
  readonly url: string;
  /** Kills the broker (SIGKILL: a crash, nothing saved beyond the last autosave). */
  kill(): Promise<void>;
  /** Starts it again on the same port and persistence file. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

export async function startOwnMosquitto(name: string, autosaveIntervalSeconds = 1): Promise<OwnMosquitto> {
  const directory = mkdtempSync(path.join(tmpdir(), `ioc-${name}-mosquitto-`));
  // Started as root, Mosquitto drops to the `mosquitto` user: its persistence directory must be that user's.
  chmodSync(directory, 0o755);
  const dataDirectory = path.join(directory, 'data');
  mkdirSync(dataDirectory);
  if (process.getuid?.() === 0) {
    chownSync(dataDirectory, Number(execFileSync('id', ['-u', 'mosquitto']).toString().trim()), Number(execFileSync('id', ['-g', 'mosquitto']).toString().trim()));
  }
  const port = await freePort();
  const configPath = path.join(directory, 'mosquitto.conf');
  writeFileSync(
    configPath,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dataDirectory}/`, `autosave_interval ${autosaveIntervalSeconds}`, 'max_queued_messages 100000', ''].join('\n'),
  );
  let broker: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    broker = spawn(MOSQUITTO, ['-c', configPath], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const kill = async (): Promise<void> => {
    const running = broker;
    broker = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    kill,
    start,
    remove: async () => {
      await kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
