import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { iocError, roleSchema, type Role, type SessionUser } from '@ioc/schemas';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
/** Shorter passwords are refused at creation; a long passphrase is better than a short complex one (NIST 800-63B). */
export const MIN_PASSWORD_LENGTH = 12;

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  displayName?: string | undefined;
  districtCodes?: string[] | undefined;
  cameraIds?: string[] | undefined;
  unit?: string | undefined;
}

/** An account as an admin lists it. */
export interface StaffAccount extends SessionUser {
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: string;
  district_codes: string[];
  camera_ids: string[];
  unit: string | null;
  password_hash: string;
  disabled: boolean;
}

function toSessionUser(row: UserRow): SessionUser {
  return {
    id: String(row.id),
    username: row.username,
    displayName: row.display_name,
    role: roleSchema.parse(row.role),
    districtCodes: row.district_codes,
    cameraIds: row.camera_ids,
    ...(row.unit ? { unit: row.unit } : {}),
  };
}

/** Staff accounts (citizens have none). Passwords are kept as scrypt hashes only. */
export class UserRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(input: NewUser): Promise<SessionUser> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME_PATTERN.test(username)) {
      throw iocError('IOC_ERR_VALIDATION', `Invalid username "${input.username}": 2–64 of a-z 0-9 . _ -, starting with a letter or digit`, { issues: [{ path: 'username', reason: 'invalid' }] });
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw iocError('IOC_ERR_VALIDATION', `The password must be at least ${MIN_PASSWORD_LENGTH} characters`, { issues: [{ path: 'password', reason: `at least ${MIN_PASSWORD_LENGTH} characters` }] });
    }
    const role = roleSchema.safeParse(input.role);
    if (!role.success) throw iocError('IOC_ERR_VALIDATION', `Unknown role "${input.role}"`, { issues: [{ path: 'role', reason: 'unknown role' }] });
    const passwordHash = await hashPassword(input.password);
    try {
      const result = await this.#pool.query<UserRow>(
        `INSERT INTO users (username, display_name, role, district_codes, camera_ids, unit, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [username, input.displayName ?? '', role.data, input.districtCodes ?? [], input.cameraIds ?? [], input.unit ?? null, passwordHash],
      );
      return toSessionUser(result.rows[0] as UserRow);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw iocError('IOC_ERR_INVALID_TRANSITION', `A user named ${username} already exists`, { issues: [{ path: 'username', reason: 'taken' }] });
      throw err;
    }
  }

  async count(): Promise<number> {
    const result = await this.#pool.query<{ count: string }>('SELECT count(*) FROM users');
    return Number(result.rows[0]?.count ?? 0);
  }

  async get(id: string): Promise<SessionUser | undefined> {
    const result = await this.#pool.query<UserRow>('SELECT * FROM users WHERE id = $1 AND NOT disabled', [id]);
    return result.rows[0] ? toSessionUser(result.rows[0]) : undefined;
  }

  /**
   * The user when the password matches and the account is enabled; otherwise undefined. An unknown username is
   * checked against a dummy hash, so the answer takes as long as for a known one (no user enumeration by timing).
   */
  async authenticate(username: string, password: string): Promise<SessionUser | undefined> {
    const result = await this.#pool.query<UserRow>('SELECT * FROM users WHERE username = $1', [username.trim().toLowerCase()]);
    const row = result.rows[0];
    const matches = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    if (!row || !matches || row.disabled) return undefined;
    await this.#pool.query('UPDATE users SET last_login_at = now() WHERE id = $1', [row.id]);
    return toSessionUser(row);
  }

  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    const name = username.trim().toLowerCase();
    const result = await this.#pool.query('UPDATE users SET disabled = $2, updated_at = now() WHERE username = $1', [name, disabled]);
    if (disabled) await this.#pool.query('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * A new password for an existing account. Its sessions end: whoever knew the old password (the reason for most
   * resets) is signed out everywhere. False when there is no such user.
   */
  async setPassword(username: string, password: string): Promise<boolean> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw iocError('IOC_ERR_VALIDATION', `The password must be at least ${MIN_PASSWORD_LENGTH} characters`, { issues: [{ path: 'password', reason: `at least ${MIN_PASSWORD_LENGTH} characters` }] });
    }
    const name = username.trim().toLowerCase();
    const passwordHash = await hashPassword(password);
    const result = await this.#pool.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1', [name, passwordHash]);
    await this.#pool.query('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  /** Every account, disabled ones included, for the admin's listing; never the password hashes. */
  async list(): Promise<StaffAccount[]> {
    const result = await this.#pool.query<UserRow & { created_at: Date; last_login_at: Date | null }>('SELECT * FROM users ORDER BY username');
    return result.rows.map((row) => ({
      ...toSessionUser(row),
      disabled: row.disabled,
      createdAt: row.created_at.toISOString(),
      lastLoginAt: row.last_login_at ? row.last_login_at.toISOString() : null,
    }));
  }
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface SessionSettings {
  /** Absolute lifetime: a session ends this long after sign-in whatever happens (one shift). */
  maxAgeMs: number;
  /** A session unused for this long ends. */
  idleTimeoutMs: number;
}

export interface ResolvedSession {
  user: SessionUser;
  tokenSha256: string;
  csrfToken: string;
  expiresAtMs: number;
}

/** How often last_seen_at is written: at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** Sign-in sessions. The client holds a random token; the table holds its sha256, the CSRF token and the times. */
export class SessionRepository {
  readonly #pool: pg.Pool;
  readonly #settings: SessionSettings;

  constructor(pool: pg.Pool, settings: SessionSettings) {
    this.#pool = pool;
    this.#settings = settings;
  }

  get settings(): SessionSettings {
    return this.#settings;
  }

  async create(user: SessionUser, clientAddress: string | null): Promise<{ token: string; csrfToken: string; expiresAtMs: number }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAtMs = Date.now() + this.#settings.maxAgeMs;
    await this.#pool.query(
      `INSERT INTO sessions (token_sha256, user_id, csrf_token, expires_at, idle_timeout_seconds, client_address) VALUES ($1, $2, $3, $4, $5, $6)`,
      [hashSessionToken(token), user.id, csrfToken, new Date(expiresAtMs), Math.max(1, Math.round(this.#settings.idleTimeoutMs / 1000)), clientAddress],
    );
    // Expired sessions of anyone are swept here rather than by a timer: sign-ins are rare, the sweep is an index scan.
    await this.#pool.query(`DELETE FROM sessions WHERE expires_at < now() OR last_seen_at + make_interval(secs => idle_timeout_seconds) < now()`);
    return { token, csrfToken, expiresAtMs };
  }

  /** The session's user when the token is known, not expired, not idle too long, and the user is enabled. */
  async resolve(token: string): Promise<ResolvedSession | undefined> {
    if (token.length === 0 || token.length > 200) return undefined;
    const tokenSha256 = hashSessionToken(token);
    const result = await this.#pool.query<UserRow & { csrf_token: string; expires_at: Date; last_seen_at: Date }>(
      `SELECT u.*, s.csrf_token, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_sha256 = $1 AND s.expires_at > now() AND s.last_seen_at + make_interval(secs => s.idle_timeout_seconds) > now() AND NOT u.disabled`,
      [tokenSha256],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.#pool.query('UPDATE sessions SET last_seen_at = now() WHERE token_sha256 = $1', [tokenSha256]);
    }
    return { user: toSessionUser(row), tokenSha256, csrfToken: row.csrf_token, expiresAtMs: row.expires_at.getTime() };
  }

  /** Of these session hashes, the ones still valid (not expired, not idle too long, user enabled). */
  async stillValid(tokenSha256s: readonly string[]): Promise<Set<string>> {
    if (tokenSha256s.length === 0) return new Set();
    const result = await this.#pool.query<{ token_sha256: string }>(
      `SELECT s.token_sha256 FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_sha256 = ANY ($1) AND s.expires_at > now() AND s.last_seen_at + make_interval(secs => s.idle_timeout_seconds) > now() AND NOT u.disabled`,
      [[...new Set(tokenSha256s)]],
    );
    return new Set(result.rows.map((row) => row.token_sha256));
  }

  async delete(tokenSha256: string): Promise<void> {
    await this.#pool.query('DELETE FROM sessions WHERE token_sha256 = $1', [tokenSha256]);
  }
}
