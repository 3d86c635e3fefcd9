import { describe, expect, it } from 'vitest';
import { isConnectionError, sqlState } from './connection-errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isConnectionError', () => {
  it.each([
    { name: 'refused', error: withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), expected: true },
    { name: 'reset', error: withCode('read ECONNRESET', 'ECONNRESET'), expected: true },
    { name: 'server shutting down (57P01)', error: withCode('terminating connection due to administrator command', '57P01'), expected: true },
    { name: 'starting up (57P03)', error: withCode('the database system is starting up', '57P03'), expected: true },
    { name: 'class 08', error: withCode('connection failure', '08006'), expected: true },
    { name: 'pg connection terminated', error: new Error('Connection terminated unexpectedly'), expected: true },
    { name: 'pool connect timeout', error: new Error('timeout exceeded when trying to connect'), expected: true },
    { name: 'wrapped in cause', error: new Error('outer', { cause: withCode('x', 'ECONNREFUSED') }), expected: true },
    { name: 'aggregate of refusals (IPv4 and IPv6)', error: new AggregateError([withCode('a', 'ECONNREFUSED')], ''), expected: true },
    { name: 'unique violation', error: withCode('duplicate key value', '23505'), expected: false },
    { name: 'bad value', error: withCode('invalid input syntax for type double precision', '22P02'), expected: false },
    { name: 'missing table', error: withCode('relation "x" does not exist', '42P01'), expected: false },
    { name: 'not an error', error: 'ECONNREFUSED', expected: false },
  ])('$name → $expected', ({ error, expected }) => {
    expect(isConnectionError(error)).toBe(expected);
  });

  it('reads SQLSTATEs only', () => {
    expect(sqlState(withCode('x', '23505'))).toBe('23505');
    expect(sqlState(withCode('x', 'ECONNREFUSED'))).toBeUndefined();
    expect(sqlState(undefined)).toBeUndefined();
  });
});
