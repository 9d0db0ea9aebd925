/**
 * A fresh idempotency key for `messages.send` (ClientMessageId: 8–64 chars of [A-Za-z0-9_-]).
 * Reusing it on resend is what keeps a message from being stored twice.
 */
export function createClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID().replaceAll('-', '');
  }
  // Fallback for non-secure contexts (http on a LAN address) where randomUUID is missing.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
