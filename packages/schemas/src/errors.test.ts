import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, iocError } from './errors';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it.each(Object.entries(ERROR_CODES))('%s is documented in the README with its HTTP status', (code, { httpStatus }) => {
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${httpStatus} \\|`));
  });

  it('serialises for clients without a stack trace', () => {
    const error = iocError('IOC_ERR_VALIDATION', 'Invalid reading: value: expected number', { issues: [{ path: 'value', reason: 'expected number' }] });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      error: { code: 'IOC_ERR_VALIDATION', message: 'Invalid reading: value: expected number', issues: [{ path: 'value', reason: 'expected number' }] },
    });
    expect(error.httpStatus).toBe(400);
  });
});
