import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { iocError } from '@ioc/schemas';

export interface EmbeddedBrokerOptions {
  /** Interface to listen on; `0.0.0.0` for every IPv4 interface. */
  host: string;
  /** TCP port; 0 picks a free one (the real port is in `url`). */
  port: number;
  logger: Logger;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port` with the port actually bound; a wildcard host is given as loopback. */
  url: string;
  port: number;
  /** MQTT clients connected right now. */
  readonly clientCount: number;
  /** Disconnects every client and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * An in-process MQTT broker (aedes, in-memory persistence) for single-host installs and the demo.
 * A province with more sensors than one process can take runs an external broker cluster instead (MQTT_URL).
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.logger.child({ module: 'embedded-broker' });
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });

  broker.on('client', (client) => log.debug({ clientId: client.id }, 'client connected'));
  broker.on('clientDisconnect', (client) => log.debug({ clientId: client.id }, 'client disconnected'));
  // A client that sends garbage or drops its socket is its own problem, not the broker's: debug, not warn.
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err }, 'client error'));
  broker.on('connectionError', (client, err) => log.debug({ clientId: client?.id, err }, 'connection error'));

  try {
    await listen(server, options.host, options.port);
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw iocError('IOC_ERR_CONFIG', `MQTT port ${options.port} on ${options.host} is already in use: stop what listens there, or choose another port with IOC_MQTT_PORT (or point MQTT_URL at an external broker).`, { cause: err });
    }
    if (code === 'EACCES') {
      throw iocError('IOC_ERR_CONFIG', `not allowed to listen on MQTT port ${options.port} on ${options.host}: choose a port above 1023 with IOC_MQTT_PORT.`, { cause: err });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw iocError('IOC_ERR_CONFIG', `cannot listen for MQTT on host ${options.host}: it is not an address of this machine (mqtt.embeddedHost).`, { cause: err });
    }
    throw err;
  }
  server.on('error', (err) => log.warn({ err }, 'MQTT listener error'));

  const address = server.address() as net.AddressInfo;
  const url = `mqtt://${urlHost(options.host)}:${address.port}`;
  log.info({ host: options.host, port: address.port }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    get clientCount() {
      return broker.connectedClients;
    },
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        // aedes ends the clients it knows; sockets that never completed CONNECT are ended here.
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        log.info('embedded MQTT broker closed');
      })();
      return closing;
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The host a client on this machine should dial: wildcards become loopback, IPv6 literals get brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  if (net.isIPv6(host)) return `[${host}]`;
  return host;
}
