/**
 * Whether an error from `pg` means "the database could not be reached or went away" (retry later, keep the
 * data in the outbox) as opposed to "the database refused this data" (retrying will not help). Pure.
 */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);

/** SQLSTATEs that are about the server or the session, not about the data. */
const CONNECTION_SQLSTATES = new Set([
  '57P01', // admin_shutdown (the server is stopping)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, or in recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure: transient, worth a retry
  '40P01', // deadlock_detected: transient
  '55P03', // lock_not_available
]);

const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /connection (?:was )?(?:closed|ended|reset)/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /client was closed/i,
  /cannot use a pool after calling end/i,
  /server closed the connection/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
];

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    if (code.startsWith('08')) return true; // class 08: connection exception
    if (CONNECTION_SQLSTATES.has(code)) return true;
  }
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  if (error instanceof AggregateError) return error.errors.some((inner) => isConnectionError(inner));
  return error.cause !== undefined && error.cause !== error && isConnectionError(error.cause);
}

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
