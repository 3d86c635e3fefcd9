import type { Role } from '@ioc/schemas';

/** Where each role lands after signing in when no page was asked for. */
export const HOME_OF_ROLE: Readonly<Record<Role, string>> = { admin: '/', operator: '/operator', leader: '/leader', police: '/police' };

/**
 * The page to open after signing in: `next` when it is a path on this site, otherwise the role's home. Anything
 * that could leave the site (`//evil`, `https://…`, `/\evil`, control characters) is ignored: an open redirect on
 * the sign-in page would be a phishing tool.
 */
export function safeNext(next: string | null | undefined, role: Role): string {
  if (!next || next.length > 2000) return HOME_OF_ROLE[role];
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || [...next].some((character) => character.charCodeAt(0) < 0x20 || character === '\\')) return HOME_OF_ROLE[role];
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return HOME_OF_ROLE[role];
  return next;
}
