#!/usr/bin/env -S npx tsx
/**
 * `ioc` — the operator's command line.
 *   ioc start            the whole system on embedded defaults (or DATABASE_URL / MQTT_URL)
 *   ioc migrate          apply database migrations and exit
 *   ioc check-config     validate ioc.config.json + IOC_* environment and print the effective config
 */
import { isIocError } from '@ioc/schemas';
import { createPool, migrate } from '@ioc/store';
import { loadConfig } from '../config-file';
import { createRootLogger } from '../logger';
import { startSystem } from '../system';

const USAGE = `usage: ioc <start|migrate|check-config>`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const logger = createRootLogger(config.log.level);
  switch (command) {
    case 'check-config': {
      const printable = { ...config, database: { ...config.database, url: config.database.url ? '[set]' : undefined }, mqtt: { ...config.mqtt, url: config.mqtt.url ? '[set]' : undefined } };
      process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
      return 0;
    }
    case 'migrate': {
      if (!config.database.url) throw new Error('ioc migrate needs DATABASE_URL (the embedded database is migrated by `ioc start`)');
      const pool = createPool(config.database.url, { max: 2 });
      try {
        const result = await migrate(pool, logger);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'start': {
      const system = await startSystem(config, logger);
      process.stdout.write(`\nIOC is running: ${system.url}  (Ctrl+C to stop)\n\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping: draining clients and flushing accepted data');
          void system.stop().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isIocError(err)) process.stderr.write(`${err.code}: ${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
