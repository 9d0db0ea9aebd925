import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';

/**
 * Where the session token lives in the desktop app: outside the page, in its own electron-store
 * file, encrypted with the OS keychain (Electron `safeStorage`) whenever that is available. Where
 * it is not (e.g. Linux without a secret service) it is kept in plain text, and a warning is logged once.
 */

/** The slice of Electron's `safeStorage`. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface TokenFile {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** What is stored: `{ scheme: 'safeStorage', data: base64 }` or `{ scheme: 'plain', data: token }`. */
type StoredToken = { scheme: 'safeStorage' | 'plain'; data: string };

const KEY = 'sessionToken';

export class SessionTokenStore {
  private warned = false;

  constructor(
    private readonly file: TokenFile,
    private readonly safeStorage: SafeStorageLike,
    private readonly logger: Logger = silentLogger,
  ) {}

  get(): string | null {
    const stored = this.file.get(KEY) as StoredToken | undefined;
    if (!stored || typeof stored !== 'object' || typeof stored.data !== 'string') return null;
    if (stored.scheme === 'plain') return stored.data;
    if (stored.scheme !== 'safeStorage' || !this.safeStorage.isEncryptionAvailable()) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(stored.data, 'base64'));
    } catch {
      // A keychain change makes the old token unreadable: sign in again.
      this.logger.warn('stored session token cannot be decrypted; dropping it');
      this.file.delete(KEY);
      return null;
    }
  }

  set(token: string | null): void {
    if (token === null) {
      this.file.delete(KEY);
      return;
    }
    if (this.safeStorage.isEncryptionAvailable()) {
      const data = this.safeStorage.encryptString(token).toString('base64');
      this.file.set(KEY, { scheme: 'safeStorage', data } satisfies StoredToken);
      return;
    }
    if (!this.warned) {
      this.warned = true;
      this.logger.warn('OS encryption (safeStorage) unavailable; the session token is stored unencrypted');
    }
    this.file.set(KEY, { scheme: 'plain', data: token } satisfies StoredToken);
  }
}
