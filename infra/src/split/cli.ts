import type { Logger } from 'pino';
import type { IocConfig } from '@ioc/schemas';
import { startApiNode } from './api-node';
import { startIngestNode } from './ingest-node';
import { nodeId } from './parts';

export const SPLIT_USAGE = `ioc ingest            an ingest worker (leased cameras, MQTT sensors): needs DATABASE_URL and MQTT_URL
  ioc api               an API node (REST, the wall over socket.io): needs DATABASE_URL and MQTT_URL`;

/** `ioc ingest` / `ioc api`: runs until SIGINT or SIGTERM, then stops in order (leases given back, data flushed). */
export async function splitCommand(command: 'ingest' | 'api', config: Readonly<IocConfig>, logger: Logger, env: Record<string, string | undefined> = process.env): Promise<number> {
  const id = nodeId(env, command);
  const node = command === 'ingest' ? await startIngestNode(config, logger, { workerId: id }) : await startApiNode(config, logger, { nodeId: id });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, node: id }, 'stopping: leases and clients handed over, accepted data flushed');
      void node.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
