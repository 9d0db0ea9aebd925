import { describe, expect, it } from 'vitest';
import { SessionTokenStore, type SafeStorageLike } from '../../../../main/settings/SessionTokenStore.js';

function memoryFile() {
  const values = new Map<string, unknown>();
  return { values, get: (k: string) => values.get(k), set: (k: string, v: unknown) => void values.set(k, v), delete: (k: string) => void values.delete(k) };
}

/** A reversible stand-in for the OS keychain: XOR with a key, so stored bytes differ from the token. */
function fakeSafeStorage(available = true): SafeStorageLike & { available: boolean } {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    available,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString: (plain) => xor(Buffer.from(plain, 'utf8')),
    decryptString: (data) => xor(data).toString('utf8'),
  };
}

describe('SessionTokenStore', () => {
  it('stores the token encrypted when safeStorage is available, and reads it back', () => {
    const file = memoryFile();
    const store = new SessionTokenStore(file, fakeSafeStorage());
    store.set('tok-123');
    const stored = file.values.get('sessionToken') as { scheme: string; data: string };
    expect(stored.scheme).toBe('safeStorage');
    expect(stored.data).not.toContain('tok-123');
    expect(store.get()).toBe('tok-123');
  });

  it('falls back to plain text without OS encryption', () => {
    const file = memoryFile();
    const store = new SessionTokenStore(file, fakeSafeStorage(false));
    store.set('tok');
    expect(file.values.get('sessionToken')).toEqual({ scheme: 'plain', data: 'tok' });
    expect(store.get()).toBe('tok');
  });

  it('clears the token with null', () => {
    const file = memoryFile();
    const store = new SessionTokenStore(file, fakeSafeStorage());
    store.set('tok');
    store.set(null);
    expect(store.get()).toBeNull();
    expect(file.values.has('sessionToken')).toBe(false);
  });

  it('drops a token that can no longer be decrypted', () => {
    const file = memoryFile();
    const safe = fakeSafeStorage();
    const store = new SessionTokenStore(file, { ...safe, isEncryptionAvailable: () => true, decryptString: () => { throw new Error('keychain changed'); } });
    store.set('tok');
    expect(store.get()).toBeNull();
    expect(file.values.has('sessionToken')).toBe(false);
  });

  it('reads nothing from a malformed entry', () => {
    const file = memoryFile();
    file.values.set('sessionToken', 'raw');
    expect(new SessionTokenStore(file, fakeSafeStorage()).get()).toBeNull();
  });
});
