import { useMemo } from 'react';
import { useAppState, useController } from '../app/AppContext.js';
import { conversationName, peerOf, sortedConversations } from '../store/conversationsSlice.js';
import { presenceOf } from '../store/presenceSlice.js';
import { PresenceText } from './PresenceText.js';

/** The user's conversations, newest activity first; each shows unread count and peer presence. */
export function ConversationList() {
  const controller = useController();
  const conversations = useAppState((s) => s.conversations);
  const selectedId = useAppState((s) => s.selectedConversationId);
  const presence = useAppState((s) => s.presence);
  const myId = useAppState((s) => s.me?.id);
  const list = useMemo(() => sortedConversations(conversations), [conversations]);

  if (list.length === 0) {
    return <p className="empty-list">No conversations yet. Start one with “New direct message”.</p>;
  }
  return (
    <nav aria-label="Conversations" className="conversations">
      <ul role="list">
        {list.map((conversation) => {
          const peer = peerOf(conversation, myId);
          const name = conversationName(conversation, myId);
          const kind = conversation.kind === 'direct' ? null : conversation.kind === 'group' ? 'Group' : 'Room';
          return (
            <li key={conversation.id}>
              <button
                type="button"
                className={`conversation${conversation.id === selectedId ? ' selected' : ''}${conversation.unread > 0 ? ' has-unread' : ''}`}
                aria-current={conversation.id === selectedId ? 'page' : undefined}
                onClick={() => void controller.selectConversation(conversation.id)}
              >
                <span className="conversation-top">
                  <span className="conversation-name">{name}</span>
                  {conversation.unread > 0 ? <span className="unread-badge">{conversation.unread} unread</span> : null}
                </span>
                <span className="conversation-bottom">
                  {peer ? <PresenceText status={presenceOf(presence, peer.id)} /> : <span className="kind">{kind}</span>}
                  {conversation.lastMessage ? (
                    <span className="preview">{conversation.lastMessage.body.slice(0, 60)}</span>
                  ) : null}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
