import { useEffect, useState } from 'react';
import { useController } from '../app/AppContext.js';

type CopyState = 'idle' | 'copied' | 'failed';

const COPY_TEXT: Record<CopyState, string> = {
  idle: '',
  copied: 'Link copied',
  failed: 'Could not copy: select the link and copy it',
};

/** How long "Link copied" stays, ms. */
const COPIED_MS = 3000;

/**
 * The guest link of a room that allows guests, shown as text (so it can be selected and read
 * out) with `Copy guest link`. Anyone with the link can join the room's voice call as a guest.
 */
export function GuestLinkBar({ conversationId }: { conversationId: number }) {
  const link = useController().guestLink(conversationId);
  const [copy, setCopy] = useState<CopyState>('idle');
  useEffect(() => {
    if (copy !== 'copied') return;
    const timer = setTimeout(() => setCopy('idle'), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copy]);

  const copyLink = async () => {
    try {
      // Missing outside secure contexts, and refused without permission or focus.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };

  return (
    <div className="guest-link">
      <span className="thread-meta">Guest link:</span>
      <code className="guest-link-url">{link}</code>
      <button type="button" className="ghost" onClick={() => void copyLink()}>
        Copy guest link
      </button>
      {copy !== 'idle' ? (
        <span role="status" className="thread-meta">
          {COPY_TEXT[copy]}
        </span>
      ) : null}
    </div>
  );
}
