import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiKeyScope, Open311ApiKey } from '@ioc/store';

export interface ApiKeyLookup {
  verify(key: string, scope: ApiKeyScope): Promise<Open311ApiKey | undefined>;
}

export interface ApiKeyVerifierOptions {
  keys: ApiKeyLookup;
  /** Tells "the database cannot be reached" from other failures (the store's `isConnectionError`). */
  isConnectionError: (error: unknown) => boolean;
  /** How long a successful verification may stand in for the database while it is down; 0: never. */
  offlineGraceMs: number;
  logger: Logger;
  nowMs?: () => number;
}

interface Verified {
  app: Open311ApiKey;
  verifiedAtMs: number;
}

/**
 * API keys checked against the database on every request (revocation takes effect at once), with one exception:
 * while the database cannot be reached, a key this node verified for the same scope within the grace period is
 * honoured. Sensors and portals push with keys; without this, a database outage would turn every push into a 503
 * although the ingest buffers accepted data in its outbox. A key revoked during the outage cannot be: revoking
 * needs the database too. Only hashes of keys are held in memory.
 */
export class ApiKeyVerifier implements ApiKeyLookup {
  readonly #options: ApiKeyVerifierOptions;
  readonly #now: () => number;
  readonly #verified = new Map<string, Verified>();
  readonly #log: Logger;

  constructor(options: ApiKeyVerifierOptions) {
    this.#options = options;
    this.#now = options.nowMs ?? Date.now;
    this.#log = options.logger.child({ module: 'api-keys' });
  }

  async verify(key: string, scope: ApiKeyScope): Promise<Open311ApiKey | undefined> {
    const entry = `${scope}:${createHash('sha256').update(key).digest('base64url')}`;
    let app: Open311ApiKey | undefined;
    try {
      app = await this.#options.keys.verify(key, scope);
    } catch (error) {
      const known = this.#verified.get(entry);
      if (!this.#options.isConnectionError(error) || !known || this.#now() - known.verifiedAtMs > this.#options.offlineGraceMs) throw error;
      this.#log.debug({ app: known.app.name, scope }, 'database unreachable: honouring a key verified before the outage');
      return known.app;
    }
    if (app) this.#verified.set(entry, { app, verifiedAtMs: this.#now() });
    else this.#verified.delete(entry);
    return app;
  }

  /** Keys remembered (for tests and metrics). */
  get size(): number {
    return this.#verified.size;
  }
}
