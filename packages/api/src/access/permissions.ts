import { ROLES, type Role } from '@ioc/schemas';

/**
 * Who may use what: one rule per route (method + path pattern), per socket.io namespace and per page.
 * - a role name: a signed-in user (session cookie) of that role;
 * - `public`: anyone, no session needed (the session is still read when sent, e.g. `GET /api/v1/session`);
 * - `apiKey:<scope>`: a machine or app with an API key of that scope in `X-Api-Key` (no cookie, so no CSRF check).
 * A route that matches no rule is refused to everyone but admins and logged, and tests/access-control.test.ts
 * fails: every new route needs a line here.
 */
export type ApiKeyAccess = 'apiKey:ingest' | 'apiKey:dossiers' | 'apiKey:open311' | 'apiKey:metrics';
export type Access = Role | 'public' | ApiKeyAccess;
export type RuleMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRule {
  method: RuleMethod;
  /** Express-style: `:name` is one path segment; a trailing `/*` is any rest of the path. */
  path: string;
  access: readonly Access[];
}

const STAFF: readonly Access[] = ROLES;
const PUBLIC: readonly Access[] = ['public'];
/** The wall's own data: every staff role may look at the wall. */
const WALL = STAFF;
const OPERATORS: readonly Access[] = ['admin', 'operator'];
const LEADERS: readonly Access[] = ['admin', 'leader'];
/** Violations carry plates and evidence (personal data): the police and admins only. */
const POLICE: readonly Access[] = ['admin', 'police'];
const ADMIN: readonly Access[] = ['admin'];

export const ROUTE_RULES: readonly RouteRule[] = [
  // Sessions: answering "not signed in" needs no session; signing out needs one (and the CSRF token).
  { method: 'POST', path: '/api/v1/session', access: PUBLIC },
  { method: 'GET', path: '/api/v1/session', access: PUBLIC },
  { method: 'DELETE', path: '/api/v1/session', access: STAFF },
  { method: 'GET', path: '/api/v1/audit', access: ADMIN },
  { method: 'GET', path: '/api/v1/audit/verify', access: ADMIN },

  { method: 'GET', path: '/api/v1/health', access: STAFF },
  { method: 'GET', path: '/api/v1/devices', access: WALL },
  { method: 'GET', path: '/api/v1/devices/:id', access: WALL },
  { method: 'GET', path: '/api/v1/readings/latest', access: WALL },
  { method: 'GET', path: '/api/v1/readings/history', access: WALL },
  { method: 'GET', path: '/api/v1/wall/snapshot', access: WALL },
  // The citizen page's map uses the basemap settings, the site outline and the basemap layers: none is private.
  { method: 'GET', path: '/api/v1/wall/config', access: PUBLIC },
  { method: 'GET', path: '/api/v1/site', access: PUBLIC },
  { method: 'GET', path: '/api/v1/basemap/layers/*', access: PUBLIC },
  { method: 'GET', path: '/api/v1/dead-letters', access: OPERATORS },

  // Machines: sensor gateways and the one-stop-shop dossier system, by API key with a scope.
  { method: 'POST', path: '/api/v1/ingest/readings', access: ['apiKey:ingest'] },
  { method: 'POST', path: '/api/v1/dossiers/events', access: ['apiKey:dossiers'] },
  { method: 'POST', path: '/api/v1/dossiers/import', access: ['apiKey:dossiers'] },

  { method: 'GET', path: '/api/v1/cameras', access: WALL },
  { method: 'GET', path: '/api/v1/cameras/:id/snapshot.jpg', access: WALL },
  { method: 'GET', path: '/api/v1/dossiers/kpis', access: WALL },
  { method: 'GET', path: '/api/v1/dossiers/overdue', access: WALL },
  { method: 'GET', path: '/api/v1/dossiers/daily', access: WALL },

  // Citizens' Open311 (apps' keys are checked inside, for their rate limit) and its alias the wall polls.
  { method: 'GET', path: '/open311/v2/*', access: PUBLIC },
  { method: 'POST', path: '/open311/v2/*', access: PUBLIC },
  { method: 'GET', path: '/api/v1/open311/*', access: PUBLIC },
  { method: 'POST', path: '/api/v1/open311/*', access: PUBLIC },

  // Field reports: the wall shows them; operators handle them.
  { method: 'GET', path: '/api/v1/field-reports', access: WALL },
  { method: 'GET', path: '/api/v1/field-reports/:id', access: WALL },
  { method: 'POST', path: '/api/v1/field-reports/:id/categorise', access: OPERATORS },
  { method: 'POST', path: '/api/v1/field-reports/:id/assign', access: OPERATORS },
  { method: 'POST', path: '/api/v1/field-reports/:id/notes', access: OPERATORS },
  { method: 'POST', path: '/api/v1/field-reports/:id/resolve', access: OPERATORS },
  { method: 'POST', path: '/api/v1/field-reports/:id/reopen', access: OPERATORS },

  { method: 'GET', path: '/api/v1/alerts', access: WALL },
  { method: 'GET', path: '/api/v1/alerts/:id', access: WALL },
  { method: 'POST', path: '/api/v1/alerts/:id/ack', access: OPERATORS },
  { method: 'GET', path: '/api/v1/incidents', access: WALL },

  { method: 'GET', path: '/api/v1/violations', access: POLICE },
  { method: 'GET', path: '/api/v1/violations/:id', access: POLICE },
  { method: 'GET', path: '/api/v1/violations/:id/evidence/:sha256', access: POLICE },
  { method: 'GET', path: '/api/v1/violations/:id/verify', access: POLICE },
  // The police console: the case trail and its actions (confirm, reject, dispatch…), the evidence export.
  { method: 'GET', path: '/api/v1/violations/export.zip', access: POLICE },
  { method: 'GET', path: '/api/v1/violations/:id/actions', access: POLICE },
  { method: 'POST', path: '/api/v1/violations/:id/actions', access: POLICE },
  // Plate search and trace: a vehicle's movements are personal data.
  { method: 'GET', path: '/api/v1/plates/search', access: POLICE },
  { method: 'GET', path: '/api/v1/plates/trace', access: POLICE },
  { method: 'GET', path: '/api/v1/plates/crops/:sha256', access: POLICE },

  { method: 'GET', path: '/api/v1/review/daily', access: LEADERS },
  { method: 'GET', path: '/api/v1/review/daily.pdf', access: LEADERS },
  { method: 'GET', path: '/api/v1/review/daily.csv', access: LEADERS },

  // Probes say only "alive" / "ready"; metrics name cameras and volumes: admins, or a scraper's key (Bearer).
  { method: 'GET', path: '/livez', access: PUBLIC },
  { method: 'GET', path: '/readyz', access: PUBLIC },
  { method: 'GET', path: '/metrics', access: ['admin', 'apiKey:metrics'] },
];

/** socket.io namespaces: the wall's live events go to every staff role. */
export const NAMESPACE_RULES: Readonly<Record<string, readonly Access[]>> = {
  // The default namespace carries nothing: no one connects to it.
  '/': [],
  '/wall': WALL,
  // Live case updates for the police console.
  '/police': POLICE,
};

/**
 * Pages (dashboards/wall/NAME.html at `/NAME`; `index` is the wall at `/`). A page without a rule is for admins
 * only. `/report` (citizens) and `/login` are public.
 */
export const PAGE_RULES: Readonly<Record<string, readonly Access[]>> = {
  index: WALL,
  leader: LEADERS,
  operator: OPERATORS,
  police: POLICE,
  trace: POLICE,
  report: PUBLIC,
  login: PUBLIC,
};

/** Rules with no match are refused to all but admins (fail closed), and reported by the access-control test. */
export const UNRULED_ACCESS: readonly Access[] = ADMIN;

interface CompiledRule extends RouteRule {
  pattern: RegExp;
}

function compile(path: string): RegExp {
  const rest = path.endsWith('/*');
  const base = rest ? path.slice(0, -2) : path;
  const source = base
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}${rest ? '(?:/.*)?' : '/?'}$`);
}

const COMPILED: CompiledRule[] = ROUTE_RULES.map((rule) => ({ ...rule, pattern: compile(rule.path) }));

/** The rule for a request; HEAD is GET. Exact paths win over patterns (`/audit/verify` before `/audit/:x`). */
export function ruleFor(method: string, requestPath: string, rules: readonly CompiledRule[] = COMPILED): RouteRule | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const candidates = rules.filter((rule) => rule.method === wanted && rule.pattern.test(requestPath));
  return candidates.find((rule) => !rule.path.includes(':') && !rule.path.endsWith('/*')) ?? candidates[0];
}

export function compileRules(rules: readonly RouteRule[]): CompiledRule[] {
  return rules.map((rule) => ({ ...rule, pattern: compile(rule.path) }));
}

export function rolesAllowed(access: readonly Access[]): Role[] {
  return ROLES.filter((role) => access.includes(role));
}

export function apiKeyScopesAllowed(access: readonly Access[]): string[] {
  return access.filter((entry): entry is ApiKeyAccess => entry.startsWith('apiKey:')).map((entry) => entry.slice('apiKey:'.length));
}
