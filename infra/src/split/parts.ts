import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { iocError, type IocConfig } from '@ioc/schemas';

/** Parts started in order and stopped in reverse; a part that fails to stop does not keep the others running. */
export class Parts {
  readonly #stops: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(name: string, stop: () => Promise<void> | void): void {
    this.#stops.push({ name, stop });
  }

  async stopAll(): Promise<void> {
    for (const { name, stop } of this.#stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        this.#log.warn({ err, part: name }, 'error while stopping');
      }
    }
    this.#stops.length = 0;
  }
}

/** Split mode shares one database and one broker between processes: neither can be embedded. */
export function requireSharedServices(config: Readonly<IocConfig>, command: string): { databaseUrl: string; brokerUrl: string } {
  const databaseUrl = config.database.url;
  const brokerUrl = config.mqtt.url;
  if (!databaseUrl || !brokerUrl) {
    throw iocError('IOC_ERR_CONFIG', `ioc ${command} runs beside other processes and needs DATABASE_URL and MQTT_URL (the one-process embedded mode is \`ioc start\`)`);
  }
  return { databaseUrl, brokerUrl };
}

/** A process's name among its peers: IOC_NODE_ID, else host and pid (unique on one machine, readable in logs). */
export function nodeId(env: Record<string, string | undefined>, role: 'ingest' | 'api'): string {
  const explicit = env.IOC_NODE_ID?.trim();
  if (explicit) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(explicit)) throw iocError('IOC_ERR_CONFIG', `IOC_NODE_ID "${explicit}": use 1-64 letters, digits, dot, dash or underscore`);
    return explicit;
  }
  return `${role}-${hostname()}-${process.pid}`;
}
