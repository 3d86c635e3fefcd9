/**
 * Imported first by every page, and imports nothing itself, so it runs before any schema is built. The pages run
 * under a CSP without 'unsafe-eval' (packages/api/src/access/security-headers.ts); zod's fast path compiles
 * validators with `new Function`, and even its probe for that (made while schemas are built) is reported as a
 * violation. Jitless validation gives the same results. zod reads its settings from this global, so they apply
 * before `z.config` could be reached.
 */
const holder = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
holder.__zod_globalConfig = { ...holder.__zod_globalConfig, jitless: true };

export {};
