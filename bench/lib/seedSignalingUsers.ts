/**
 * Seed a signaling server's data folder for the `signaling` benchmark through the server's own
 * store and token functions (what `npm run admin -- add-user` and a sign-in do, minus scrypt):
 * `pairs × 2` member accounts, one session token each, and one direct conversation per pair.
 * Registering 10,000 people through /api/register would spend most of the run in scrypt.
 */
import { hashToken, newToken } from '../../signaling-server/auth/tokens.js';
import { SqliteStore } from '../../signaling-server/store/SqliteStore.js';
import type { LoadClientSpec } from './signalingBenchProtocol.js';

/**
 * Accounts get a password hash no password matches (like guests'): nobody signs in with a
 * password; the benchmark's clients hold session tokens. Client `2k` and `2k + 1` share the
 * direct conversation of pair k. The store is closed (and checkpointed) before returning.
 */
export async function seedSignalingUsers(dataDir: string, pairs: number, sessionTtlSeconds = 12 * 3600): Promise<LoadClientSpec[]> {
  const store = SqliteStore.open(dataDir);
  try {
    const now = Date.now();
    const specs: LoadClientSpec[] = [];
    for (let k = 0; k < pairs; k++) {
      const ids: number[] = [];
      for (const side of ['a', 'b']) {
        const username = `bench${k}${side}`;
        const user = await store.createUser({ username, displayName: `Bench ${k}${side.toUpperCase()}`, passwordHash: 'bench-no-password', role: 'member', createdAt: now });
        const token = newToken();
        await store.createSession({ tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt: now + sessionTtlSeconds * 1000 });
        ids.push(user.id);
        specs.push({ token, userId: user.id, conversationId: 0 });
      }
      const [a, b] = ids as [number, number];
      const conversation = await store.createConversation({
        kind: 'direct',
        title: null,
        guestAccess: false,
        directKey: `${Math.min(a, b)}:${Math.max(a, b)}`,
        createdBy: a,
        createdAt: now,
        memberIds: [a, b],
      });
      specs[2 * k]!.conversationId = conversation.id;
      specs[2 * k + 1]!.conversationId = conversation.id;
    }
    return specs;
  } finally {
    await store.close();
  }
}
