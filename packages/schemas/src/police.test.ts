import { describe, expect, it } from 'vitest';
import { actionsFrom, transitionOf, violationActionRequestSchema, type PoliceAction } from './police';
import type { ViolationStatus } from './violation';

describe('police transitions', () => {
  // Every action from every status: only new → confirmed | rejected and confirmed → dispatched are allowed.
  const table: Array<[PoliceAction, ViolationStatus, ViolationStatus | undefined]> = [
    ['confirm', 'new', 'confirmed'],
    ['confirm', 'confirmed', undefined],
    ['confirm', 'rejected', undefined],
    ['confirm', 'dispatched', undefined],
    ['reject', 'new', 'rejected'],
    ['reject', 'confirmed', undefined],
    ['reject', 'rejected', undefined],
    ['reject', 'dispatched', undefined],
    ['dispatch', 'new', undefined],
    ['dispatch', 'confirmed', 'dispatched'],
    ['dispatch', 'rejected', undefined],
    ['dispatch', 'dispatched', undefined],
  ];
  it.each(table)('%s from %s → %s', (action, from, to) => {
    expect(transitionOf(action, from)).toBe(to);
  });

  it.each([
    ['new', ['confirm', 'reject']],
    ['confirmed', ['dispatch']],
    ['rejected', []],
    ['dispatched', []],
  ] as Array<[ViolationStatus, PoliceAction[]]>)('offers from %s: %j', (status, actions) => {
    expect(actionsFrom(status)).toEqual(actions);
  });
});

describe('action request', () => {
  it.each([
    [{ action: 'confirm', expectedStatus: 'new' }, true],
    [{ action: 'reject', expectedStatus: 'new' }, false],
    [{ action: 'reject', expectedStatus: 'new', reasonCode: 'duplicate' }, true],
    [{ action: 'reject', expectedStatus: 'new', reasonCode: 'other' }, false],
    [{ action: 'reject', expectedStatus: 'new', reasonCode: 'other', note: 'xe cứu thương' }, true],
    [{ action: 'reject', expectedStatus: 'new', reasonCode: 'bogus' }, false],
    [{ action: 'confirm', expectedStatus: 'new', reasonCode: 'duplicate' }, false],
    [{ action: 'reopen', expectedStatus: 'rejected' }, false],
    [{ action: 'confirm' }, false],
    [{ action: 'confirm', expectedStatus: 'new', extra: 1 }, false],
  ])('%j valid: %s', (body, valid) => {
    expect(violationActionRequestSchema.safeParse(body).success).toBe(valid);
  });
});
