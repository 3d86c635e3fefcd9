import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ROLES, iocError, roleSchema } from '@ioc/schemas';
import { AuditLog, MIN_PASSWORD_LENGTH, UserRepository, generatePassword } from '@ioc/store';
import { loadConfig } from '../config-file';
import { openCommandDatabase } from '../embedded/command-database';

export const CREATE_USER_USAGE = `ioc create-user --role ${ROLES.join('|')} --username NAME [--name "Display name"] [--districts C1,C2] [--cameras ID1,ID2] [--unit UNIT] [--generate-password]
                        a staff account; the password is read from stdin (piped) or asked for without echo, or generated and printed once`;

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Reads a line from the terminal with echo off (raw mode), so the password never shows on screen or in scrollback. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let text = '';
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          finish();
          resolve(text);
          return;
        }
        if (character === '\u0003') {
          finish();
          reject(iocError('IOC_ERR_VALIDATION', 'Cancelled'));
          return;
        }
        if (character === '\u007f' || character === '\b') text = text.slice(0, -1);
        else text += character;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: a trailing newline from `echo` or a file is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The password: generated when asked or when none is given; otherwise from the terminal (twice) or from stdin. */
export async function obtainPassword(generate: boolean): Promise<{ password: string; generated: boolean }> {
  if (generate) return { password: generatePassword(), generated: true };
  if (process.stdin.isTTY) {
    const first = await promptHidden(`Mật khẩu / Password (≥ ${MIN_PASSWORD_LENGTH} characters; empty = generate one): `);
    if (first === '') return { password: generatePassword(), generated: true };
    const second = await promptHidden('Nhập lại / Repeat: ');
    if (first !== second) throw iocError('IOC_ERR_VALIDATION', 'The two passwords differ', { issues: [{ path: 'password', reason: 'repeat differs' }] });
    return { password: first, generated: false };
  }
  const piped = await readStdin();
  return piped === '' ? { password: generatePassword(), generated: true } : { password: piped, generated: false };
}

/**
 * `ioc create-user`: the first admin (and any later account) — never a default password. Works on DATABASE_URL or
 * the embedded database (running or started for the moment). Prints the user as JSON on stdout, and a generated
 * password once on stderr.
 */
export async function createUserCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      username: { type: 'string' },
      name: { type: 'string' },
      districts: { type: 'string' },
      cameras: { type: 'string' },
      unit: { type: 'string' },
      'generate-password': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw iocError('IOC_ERR_VALIDATION', `--role must be one of ${ROLES.join(', ')}\nusage: ${CREATE_USER_USAGE}`, { issues: [{ path: 'role', reason: 'required' }] });
  if (!values.username) throw iocError('IOC_ERR_VALIDATION', `--username is required\nusage: ${CREATE_USER_USAGE}`, { issues: [{ path: 'username', reason: 'required' }] });
  const { password, generated } = await obtainPassword(values['generate-password']);
  const config = loadConfig();
  // Logs go to stderr: stdout carries the result.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const { pool, close } = await openCommandDatabase(config, logger, 2);
  try {
    const user = await new UserRepository(pool).create({
      username: values.username,
      password,
      role: role.data,
      displayName: values.name,
      districtCodes: list(values.districts),
      cameraIds: list(values.cameras),
      unit: values.unit,
    });
    await new AuditLog(pool).append({ action: 'user.create', result: 'success', target: user.username, user: null, clientAddress: null, details: { by: `cli:${userInfo().username}`, role: user.role, districtCodes: user.districtCodes, cameraIds: user.cameraIds, unit: user.unit ?? null } });
    process.stdout.write(`${JSON.stringify(user)}\n`);
    if (generated) process.stderr.write(`Mật khẩu / Password for ${user.username} (shown once, keep it now): ${password}\n`);
    return 0;
  } finally {
    await close();
  }
}
