// Lint: TypeScript rules plus the import directions of ARCHITECTURE.md ("Which way imports go").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** For each part: the workspace packages it must not import. */
const forbidden = {
  'packages/schemas': ['@ioc/store', '@ioc/vision', '@ioc/api', '@ioc/ingest', '@ioc/infra', 'pg', 'express', 'socket.io', 'pino', 'node:*'],
  'packages/vision': ['@ioc/store', '@ioc/api', '@ioc/ingest', '@ioc/infra', 'node:*', 'pg'],
  'packages/store': ['@ioc/vision', '@ioc/api', '@ioc/ingest', '@ioc/infra'],
  'packages/api': ['@ioc/vision', '@ioc/ingest', '@ioc/infra'],
  ingest: ['@ioc/api', '@ioc/infra'],
  'dashboards/wall': ['@ioc/store', '@ioc/vision', '@ioc/api', '@ioc/ingest', '@ioc/infra', 'node:*', 'pg', 'express'],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.tsbuild/**', '**/.tsbuild-test/**', 'data/**', 'test-artifacts/**', 'models/**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['dashboards/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Service code logs through pino only (STYLE.md habit 6); CLIs, tests and benches may print.
    files: ['packages/*/src/**/*.ts', 'ingest/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  ...Object.entries(forbidden).map(([folder, names]) => ({
    files: [`${folder}/**/*.{ts,tsx}`],
    // Tests and the Vite config run in Node, not in the browser bundle.
    ignores: ['**/*.test.ts', '**/vite.config.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: names.map((name) => ({ group: [name, `${name}/*`], message: `${folder} must not import ${name} (ARCHITECTURE.md, Which way imports go).` })) }],
    },
  })),
);
