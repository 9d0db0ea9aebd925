import type { HostCommand } from '../common/bridge.js';

/**
 * `earshot://` links: `earshot://conversation/<id>` opens a conversation,
 * `earshot://call/<conversationId>` joins its group call. They arrive as a launch argument
 * (Windows, Linux), through `second-instance` when Earshot already runs, or as `open-url` (macOS).
 */
export const DEEP_LINK_SCHEME = 'earshot';

const MAX_ID = 2 ** 31 - 1;

/** The command a link stands for, or null for anything else (unknown path, bad id, other scheme). */
export function parseDeepLink(link: string): HostCommand | null {
  if (link.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  // earshot://conversation/42 parses with host "conversation" and path "/42"; accept
  // earshot:conversation/42 and a trailing slash too.
  const parts = [url.host, ...url.pathname.split('/')].filter(Boolean);
  if (parts.length !== 2) return null;
  const [kind, rawId] = parts as [string, string];
  if (!/^[1-9][0-9]{0,9}$/.test(rawId)) return null;
  const id = Number(rawId);
  if (id > MAX_ID) return null;
  switch (kind.toLowerCase()) {
    case 'conversation':
      return { type: 'openConversation', conversationId: id };
    case 'call':
      return { type: 'joinGroupCall', conversationId: id };
    default:
      return null;
  }
}

/** The first `earshot://` argument of a command line (Windows/Linux pass links this way). */
export function deepLinkFromArgv(argv: readonly string[]): string | null {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}
