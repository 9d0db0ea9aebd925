import { describe, expect, it } from 'vitest';
import { hashToken, isWellFormedToken, newToken } from '../../../../signaling-server/auth/tokens.js';

describe('newToken', () => {
  it('makes 43-character base64url tokens', () => {
    const token = newToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newToken()));
    expect(tokens.size).toBe(100);
  });
});

describe('hashToken', () => {
  it('is the hex SHA-256 of the token', () => {
    // sha256("abc")
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is deterministic and differs from the token', () => {
    const token = newToken();
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toContain(token);
  });
});

describe('isWellFormedToken', () => {
  it('accepts a fresh token', () => {
    expect(isWellFormedToken(newToken())).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['one short', 'a'.repeat(42)],
    ['one long', 'a'.repeat(44)],
    ['standard base64 characters', `${'a'.repeat(41)}+/`],
    ['padding', `${'a'.repeat(42)}=`],
    ['a trailing newline', `${'a'.repeat(43)}\n`],
  ])('rejects %s', (_why, token) => {
    expect(isWellFormedToken(token)).toBe(false);
  });
});
