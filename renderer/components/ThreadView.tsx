import { useAppState, useCalls } from '../app/AppContext.js';
import { conversationName, peerOf } from '../store/conversationsSlice.js';
import { presenceOf } from '../store/presenceSlice.js';
import { Composer } from './Composer.js';
import { GroupCallBar } from './GroupCallBar.js';
import { GuestLinkBar } from './GuestLinkBar.js';
import { MessageList } from './MessageList.js';
import { PresenceText } from './PresenceText.js';

/** The open conversation: header (name + peer presence as text, calls), messages, composer. */
export function ThreadView() {
  const conversation = useAppState((s) => (s.selectedConversationId === null ? undefined : s.conversations[s.selectedConversationId]));
  const myId = useAppState((s) => s.me?.id);
  const presence = useAppState((s) => s.presence);
  const inCall = useAppState((s) => s.call !== null || s.groupCall !== null);
  const calls = useCalls();

  if (!conversation) {
    return (
      <main className="thread thread-empty">
        <p>Select a conversation or start a new one.</p>
      </main>
    );
  }
  const peer = peerOf(conversation, myId);
  const name = conversationName(conversation, myId);
  return (
    <main className="thread" aria-label={`Conversation with ${name}`}>
      <header className="thread-header">
        <h2>{name}</h2>
        {peer ? (
          <>
            <PresenceText status={presenceOf(presence, peer.id)} className="thread-presence" />
            <button type="button" className="primary call-button" disabled={inCall} onClick={() => void calls.place(conversation.id, peer.displayName)}>
              Call
            </button>
          </>
        ) : (
          <span className="thread-meta">
            {conversation.kind === 'room' ? 'Room' : 'Group'} · {conversation.members.length} {conversation.members.length === 1 ? 'member' : 'members'}
            {conversation.kind === 'room' && conversation.guestAccess ? ' · Guests allowed' : ''}
          </span>
        )}
        <GroupCallBar conversationId={conversation.id} />
        {conversation.kind === 'room' && conversation.guestAccess ? <GuestLinkBar key={conversation.id} conversationId={conversation.id} /> : null}
      </header>
      <MessageList key={`log-${conversation.id}`} conversation={conversation} />
      <Composer key={`composer-${conversation.id}`} conversationId={conversation.id} label={name} />
    </main>
  );
}
