import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { iocError } from '@ioc/schemas';
import { AuditLog, UserRepository, type StaffAccount } from '@ioc/store';
import { loadConfig } from '../config-file';
import { openCommandDatabase } from '../embedded/command-database';
import { obtainPassword } from './create-user-cli';

export const MANAGE_USERS_USAGE = `ioc list-users [--json]          the staff accounts (role, scope, disabled, last sign-in)
  ioc set-password --username NAME [--generate-password]
                        a new password (stdin, no-echo prompt, or generated and printed once); the account's sessions end
  ioc disable-user --username NAME | ioc enable-user --username NAME
                        stop (or allow again) an account's sign-ins; disabling ends its sessions and live sockets`;

type Command = 'list-users' | 'set-password' | 'disable-user' | 'enable-user';

/** One line per account, aligned, for a terminal. */
export function formatAccounts(accounts: readonly StaffAccount[]): string {
  const rows = accounts.map((account) => [
    account.username,
    account.role,
    account.disabled ? 'disabled' : 'active',
    account.districtCodes.length > 0 ? account.districtCodes.join(',') : '*',
    account.cameraIds.length > 0 ? account.cameraIds.join(',') : '*',
    account.lastLoginAt ?? '-',
    account.displayName,
  ]);
  const header = ['username', 'role', 'state', 'districts', 'cameras', 'last sign-in', 'name'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  ')).join('\n');
}

/**
 * `ioc list-users`, `ioc set-password`, `ioc disable-user`, `ioc enable-user`: the admin's account chores from the
 * command line, on DATABASE_URL or the embedded database, each change written to the audit log like a change made
 * through the API would be.
 */
export async function manageUsersCommand(command: Command, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: 'string' },
      json: { type: 'boolean', default: false },
      'generate-password': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (command !== 'list-users' && !values.username) {
    throw iocError('IOC_ERR_VALIDATION', `--username is required\nusage: ${MANAGE_USERS_USAGE}`, { issues: [{ path: 'username', reason: 'required' }] });
  }
  // Asked before the database opens, so a prompt is not kept waiting behind a starting server.
  const secret = command === 'set-password' ? await obtainPassword(values['generate-password']) : undefined;
  const config = loadConfig();
  // Logs go to stderr: stdout carries the result.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const { pool, close } = await openCommandDatabase(config, logger, 2);
  try {
    const users = new UserRepository(pool);
    if (command === 'list-users') {
      const accounts = await users.list();
      process.stdout.write(`${values.json ? JSON.stringify(accounts) : formatAccounts(accounts)}\n`);
      return 0;
    }
    const username = (values.username as string).trim().toLowerCase();
    const changed = secret ? await users.setPassword(username, secret.password) : await users.setDisabled(username, command === 'disable-user');
    const action = { 'set-password': 'user.password', 'disable-user': 'user.disable', 'enable-user': 'user.enable' }[command];
    await new AuditLog(pool).append({ action, result: changed ? 'success' : 'failure', target: username, user: null, clientAddress: null, details: { by: `cli:${userInfo().username}`, ...(changed ? {} : { reason: 'no such user' }) } });
    if (!changed) throw iocError('IOC_ERR_NOT_FOUND', `No user named ${username}`, { issues: [{ path: 'username', reason: 'no such user' }] });
    process.stdout.write(`${JSON.stringify({ username, action })}\n`);
    if (secret?.generated) process.stderr.write(`Mật khẩu / Password for ${username} (shown once, keep it now): ${secret.password}\n`);
    return 0;
  } finally {
    await close();
  }
}
