import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, parsePasswordHash, verifyPassword } from './password';

// Cheap parameters keep the unit test quick; the format and the checks are the same as with the defaults.
const FAST = { N: 1024, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('stores the parameters and a random salt with the hash', async () => {
    const first = await hashPassword('mật khẩu đủ dài 123', FAST);
    const second = await hashPassword('mật khẩu đủ dài 123', FAST);
    expect(first).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(parsePasswordHash(first)).toMatchObject({ N: 1024, r: 8, p: 1 });
  });

  it('uses the default cost when none is given', async () => {
    expect(parsePasswordHash(await hashPassword('another long password')))?.toMatchObject({ N: 32768, r: 8, p: 1 });
  });

  it.each([
    ['mật khẩu đủ dài 123', true],
    ['mật khẩu đủ dài 124', false],
    ['', false],
    // The same text in decomposed Unicode (as some keyboards type it) is the same password.
    ['mật khẩu đủ dài 123'.normalize('NFD'), true],
  ])('verifies %j → %s', async (candidate, expected) => {
    const stored = await hashPassword('mật khẩu đủ dài 123', FAST);
    expect(await verifyPassword(candidate, stored)).toBe(expected);
  });

  it.each([
    'plain-text-password',
    'scrypt$1024$8$1$c2FsdA==',
    'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', // N not a power of two
    'scrypt$4194304$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', // cost beyond what is accepted
    'bcrypt$10$x$y$z$w',
  ])('never matches a malformed stored hash %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  it('generates long random passwords', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
