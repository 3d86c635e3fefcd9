import { describe, expect, it } from 'vitest';
import { fromUndecodableUrl, fromUnstorableText } from './http-errors';

describe('client input the database or router cannot take is a 400', () => {
  it.each([
    { name: 'NUL in a text parameter (22021)', err: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), expected: 'IOC_ERR_VALIDATION' },
    { name: 'untranslatable character (22P05)', err: Object.assign(new Error('x'), { code: '22P05' }), expected: 'IOC_ERR_VALIDATION' },
    { name: 'other data exception stays a server fault', err: Object.assign(new Error('numeric overflow'), { code: '22003' }), expected: undefined },
    { name: 'no code', err: new Error('boom'), expected: undefined },
  ])('$name', ({ err, expected }) => {
    expect(fromUnstorableText(err)?.code).toBe(expected);
  });

  it.each([
    { name: 'URIError', err: new URIError('URI malformed'), expected: 'IOC_ERR_VALIDATION' },
    { name: "router's 400 for a parameter it cannot decode", err: Object.assign(new Error("Failed to decode param '%ED%A0%80'"), { status: 400 }), expected: 'IOC_ERR_VALIDATION' },
    { name: 'another error', err: new Error('decode'), expected: undefined },
  ])('$name', ({ err, expected }) => {
    expect(fromUndecodableUrl(err)?.code).toBe(expected);
  });
});
