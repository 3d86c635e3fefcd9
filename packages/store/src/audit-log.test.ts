import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditHash, canonicalJson } from './audit-log';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ a: { d: [1, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[1,{"y":2,"z":1}]}}'],
    [{ a: undefined, b: 'ư' }, '{"b":"ư"}'],
    [[3, 'x', true, null], '[3,"x",true,null]'],
    [null, 'null'],
    ['chuỗi', '"chuỗi"'],
  ])('%j → %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

describe('auditHash', () => {
  const entry = { seq: 1, at: '2026-11-24T21:00:00.000Z', userId: '1', username: 'admin', role: 'admin', action: 'login', target: 'admin', result: 'success', clientAddress: '127.0.0.1', details: { b: 1, a: 2 } };

  it('is the same whatever order the details come back in', () => {
    expect(auditHash(GENESIS_HASH, entry)).toBe(auditHash(GENESIS_HASH, { ...entry, details: { a: 2, b: 1 } }));
  });

  it.each([
    ['result', { result: 'failure' }],
    ['time', { at: '2026-11-24T21:00:00.001Z' }],
    ['user', { username: 'someone' }],
    ['details', { details: { a: 2, b: 2 } }],
    ['seq', { seq: 2 }],
  ])('changes when the %s changes', (_name, change) => {
    expect(auditHash(GENESIS_HASH, { ...entry, ...change })).not.toBe(auditHash(GENESIS_HASH, entry));
  });

  it('changes with the previous hash (the chain)', () => {
    expect(auditHash('1'.repeat(64), entry)).not.toBe(auditHash(GENESIS_HASH, entry));
    expect(auditHash(GENESIS_HASH, entry)).toMatch(/^[0-9a-f]{64}$/);
  });
});
