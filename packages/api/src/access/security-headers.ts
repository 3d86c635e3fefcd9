import type { RequestHandler } from 'express';
import type { IocConfig } from '@ioc/schemas';

/**
 * The Content-Security-Policy the built pages run under. MapLibre builds its tile workers from blob: URLs
 * (worker-src and child-src blob:) and draws images from blob:/data:; deck.gl fetches its data: icons (connect-src data:,
 * which can carry nothing out); React sets styles through the DOM
 * (not blocked), MapLibre's own stylesheet is a file. A basemap from another origin (styleUrl, pmtiles) adds
 * that origin to connect-src and img-src.
 */
export function contentSecurityPolicy(basemap: Readonly<IocConfig['basemap']>): string {
  const external: string[] = [];
  if ((basemap.kind === 'styleUrl' || basemap.kind === 'pmtiles') && basemap.url) {
    try {
      const origin = new URL(basemap.url).origin;
      if (origin !== 'null') external.push(origin);
    } catch {
      // A relative URL is same-origin.
    }
  }
  const extra = external.length > 0 ? ` ${external.join(' ')}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${extra}`,
    "font-src 'self' data:",
    `connect-src 'self' data:${extra}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Security headers on every response; HSTS only over TLS (directly or behind a proxy on this host). */
export function securityHeaders(config: Readonly<IocConfig>): RequestHandler {
  const csp = contentSecurityPolicy(config.basemap);
  return (request, response, next) => {
    response.setHeader('Content-Security-Policy', csp);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // The citizen page asks for the phone's location to place a report; nothing else may.
    const geolocation = /^\/report(?:\.html)?(?:\/|$)/.test(request.path) ? 'geolocation=(self)' : 'geolocation=()';
    response.setHeader('Permissions-Policy', `${geolocation}, camera=(), microphone=(), payment=(), usb=()`);
    if (request.secure) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
