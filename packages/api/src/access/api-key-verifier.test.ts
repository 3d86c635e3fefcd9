import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ApiKeyScope, Open311ApiKey } from '@ioc/store';
import { ApiKeyVerifier } from './api-key-verifier';

const SENSORS: Open311ApiKey = { id: 1, name: 'trạm quan trắc', scopes: ['ingest'] };
const GRACE_MS = 30 * 60_000;
const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const refused = Object.assign(new Error('permission denied for table open311_api_keys'), { code: '42501' });

/** What the database answers to each call: a key's app, "unknown", or an error. */
type Answer = Open311ApiKey | undefined | Error;

function verifierWith(answers: Answer[], clock: { nowMs: number }): ApiKeyVerifier {
  const queue = [...answers];
  return new ApiKeyVerifier({
    keys: {
      verify: async (_key: string, _scope: ApiKeyScope) => {
        const answer = queue.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    isConnectionError: (error) => (error as { code?: string }).code === 'ECONNREFUSED',
    offlineGraceMs: GRACE_MS,
    logger: pino({ level: 'silent' }),
    nowMs: () => clock.nowMs,
  });
}

describe('ApiKeyVerifier', () => {
  // Each row: the database's answers in turn, the scope of the last call and how long after the first it comes,
  // then what the last call gives (an app, undefined, or the error it throws).
  const cases: Array<{ name: string; answers: Answer[]; lastScope?: ApiKeyScope; afterMs?: number; expected: Open311ApiKey | undefined | 'throws' }> = [
    { name: 'asks the database while it answers', answers: [SENSORS, SENSORS], expected: SENSORS },
    { name: 'honours a key verified before the outage', answers: [SENSORS, unreachable], afterMs: 60_000, expected: SENSORS },
    { name: 'not after the grace period', answers: [SENSORS, unreachable], afterMs: GRACE_MS + 1, expected: 'throws' },
    { name: 'not for a scope it was never verified for', answers: [SENSORS, unreachable], lastScope: 'metrics', expected: 'throws' },
    { name: 'not for a key never verified', answers: [unreachable], expected: 'throws' },
    { name: 'not when the database refuses for another reason', answers: [SENSORS, refused], expected: 'throws' },
    { name: 'forgets a key the database no longer knows (revoked)', answers: [SENSORS, undefined, unreachable], expected: 'throws' },
    { name: 'a revoked key stays refused while the database answers', answers: [SENSORS, undefined], expected: undefined },
  ];

  it.each(cases)('$name', async ({ answers, lastScope = 'ingest', afterMs = 1000, expected }) => {
    const clock = { nowMs: 1_000_000 };
    const verifier = verifierWith(answers, clock);
    for (let call = 0; call < answers.length - 1; call += 1) await verifier.verify('ioc311_key', 'ingest').catch(() => undefined);
    clock.nowMs += afterMs;
    const last = verifier.verify('ioc311_key', lastScope);
    if (expected === 'throws') await expect(last).rejects.toThrow();
    else await expect(last).resolves.toEqual(expected);
  });

  it('keeps keys apart: another key is not honoured in an outage because one was', async () => {
    const clock = { nowMs: 0 };
    const verifier = verifierWith([SENSORS, unreachable], clock);
    await verifier.verify('ioc311_a', 'ingest');
    await expect(verifier.verify('ioc311_b', 'ingest')).rejects.toThrow(/ECONNREFUSED/);
    expect(verifier.size).toBe(1);
  });
});
