import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, getDummyHash, hashPassword, verifyPassword } from '../../../../signaling-server/auth/passwords.js';
import { TEST_SCRYPT } from '../fakes.js';

describe('hashPassword', () => {
  it('writes the self-describing scrypt$N$r$p$salt$key format with the default costs', async () => {
    // The one test that pays for the product cost (N = 2^17, ~100 ms).
    const hash = await hashPassword('correct horse battery');
    const parts = hash.split('$');
    expect(parts.slice(0, 4)).toStrictEqual(['scrypt', String(DEFAULT_SCRYPT.N), String(DEFAULT_SCRYPT.r), String(DEFAULT_SCRYPT.p)]);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
  });

  it('records the given costs', async () => {
    expect((await hashPassword('secret-password', TEST_SCRYPT)).startsWith('scrypt$1024$8$1$')).toBe(true);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same password', TEST_SCRYPT);
    const b = await hashPassword('same password', TEST_SCRYPT);
    expect(a).not.toBe(b);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password', async () => {
    expect(await verifyPassword('hunter2hunter2', await hashPassword('hunter2hunter2', TEST_SCRYPT))).toBe(true);
  });

  it('rejects a wrong password', async () => {
    const hash = await hashPassword('hunter2hunter2', TEST_SCRYPT);
    expect(await verifyPassword('hunter2hunter3', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('normalises Unicode (NFKC) so composed and decomposed forms match', async () => {
    const hash = await hashPassword('caf\u00e9-password', TEST_SCRYPT);
    expect(await verifyPassword('cafe\u0301-password', hash)).toBe(true);
  });

  it('is case-sensitive', async () => {
    expect(await verifyPassword('Password123', await hashPassword('password123', TEST_SCRYPT))).toBe(false);
  });

  describe('with a malformed stored hash', () => {
    it.each([
      ['empty', ''],
      ['plain text', 'hunter2hunter2'],
      ['another algorithm', 'bcrypt$1024$8$1$AAAA$BBBB'],
      ['too few fields', 'scrypt$1024$8$1$AAAA'],
      ['too many fields', 'scrypt$1024$8$1$AAAA$BBBB$CCCC'],
      ['non-numeric costs', 'scrypt$x$8$1$AAAA$BBBB'],
      ['a zero cost', 'scrypt$0$8$1$AAAA$BBBB'],
      ['a negative cost', 'scrypt$1024$-8$1$AAAA$BBBB'],
      ['a fractional cost', 'scrypt$1024$0.5$1$AAAA$BBBB'],
      ['a key of the wrong length', 'scrypt$1024$8$1$AAAA$BBBB'],
      ['an empty key', 'scrypt$1024$8$1$AAAA$'],
      ['N that is not a power of two', 'scrypt$3$8$1$AAAA$BBBB'],
      ['costs over the memory limit', 'scrypt$1024$8$99999999$AAAA$BBBB'],
    ])('returns false for %s, without throwing', async (_why, stored) => {
      await expect(verifyPassword('hunter2hunter2', stored)).resolves.toBe(false);
    });
  });
});

describe('getDummyHash', () => {
  it('returns one cached, well-formed hash that no guess matches', async () => {
    const first = await getDummyHash(TEST_SCRYPT);
    expect(await getDummyHash(TEST_SCRYPT)).toBe(first);
    expect(first.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('', first)).toBe(false);
  });
});
