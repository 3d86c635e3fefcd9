/**
 * Every route an express app answers, found by walking its router stacks (express 5 / router 2): routes with
 * their methods and full paths (mount prefixes included), static folders mounted under a prefix (as `GET
 * prefix/*`), and routes whose path is a regular expression (the pages' fallback). The access-control test
 * uses it so that a new route without a rule in permissions.ts fails, with no second list kept by hand.
 */
export interface ListedRoute {
  method: string;
  /** Express-style path (`:id`, trailing `/*` for a mounted folder), or the regular expression's source. */
  path: string;
  kind: 'route' | 'static' | 'regexp';
}

interface LayerLike {
  rawPath?: unknown;
  name?: string;
  handle?: { stack?: LayerLike[] } & ((...args: unknown[]) => unknown);
  route?: { path: unknown; methods: Record<string, boolean>; stack?: LayerLike[] };
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function walk(stack: readonly LayerLike[], prefix: string, out: ListedRoute[]): void {
  for (const layer of stack) {
    const paths = Array.isArray(layer.rawPath) ? (layer.rawPath as unknown[]) : [layer.rawPath];
    if (layer.route) {
      const routePaths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
      const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all').map((method) => method.toUpperCase());
      for (const routePath of routePaths) {
        for (const method of methods) {
          if (routePath instanceof RegExp) out.push({ method, path: routePath.source, kind: 'regexp' });
          else out.push({ method, path: joinPath(prefix, String(routePath)), kind: 'route' });
        }
      }
      continue;
    }
    const mount = paths.map((path) => (typeof path === 'string' ? path : '/'));
    for (const path of mount) {
      const nested = layer.handle?.stack;
      if (Array.isArray(nested)) walk(nested, joinPath(prefix, path), out);
      else if (layer.name === 'serveStatic' && path !== '/') out.push({ method: 'GET', path: `${joinPath(prefix, path)}/*`, kind: 'static' });
    }
  }
}

export function listRoutes(app: { router: { stack: readonly unknown[] } }): ListedRoute[] {
  const out: ListedRoute[] = [];
  walk(app.router.stack as LayerLike[], '', out);
  const seen = new Set<string>();
  return out.filter((route) => {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
