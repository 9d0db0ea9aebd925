import { useLayoutEffect, useRef, useState } from 'react';
import type { Conversation } from '../../common/protocol/index.js';
import { useAppState, useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';
import { formatTime } from '../lib/formatTime.js';

const NO_PENDING: never[] = [];

/** The message log of one conversation, with pending messages last and "Load older messages". */
export function MessageList({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  const entry = useAppState((s) => s.messages[conversation.id]);
  const pending = useAppState((s) => s.pending[conversation.id] ?? NO_PENDING);
  const myId = useAppState((s) => s.me?.id);
  const myName = useAppState((s) => s.me?.displayName ?? 'You');
  const [olderError, setOlderError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const logRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const messages = entry?.messages ?? [];
  const names = new Map(conversation.members.map((m) => [m.id, m.displayName]));

  // Keep the newest message in view unless the user scrolled up to read older ones.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (log && stickToBottom.current) log.scrollTop = log.scrollHeight;
  }, [messages.length, pending.length, conversation.id]);

  const onScroll = () => {
    const log = logRef.current;
    if (log) stickToBottom.current = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  };

  const loadOlder = async () => {
    setLoadingOlder(true);
    setOlderError(null);
    stickToBottom.current = false;
    try {
      await controller.loadOlder(conversation.id);
    } catch (error) {
      setOlderError(describeError(error));
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="messages-pane">
      {entry?.hasMore ? (
        <div className="load-older">
          <button type="button" className="ghost" disabled={loadingOlder} onClick={() => void loadOlder()}>
            Load older messages
          </button>
          {olderError ? <span role="alert" className="error">{olderError}</span> : null}
        </div>
      ) : null}
      <ol role="log" aria-label="Messages" className="messages" ref={logRef} onScroll={onScroll}>
        {entry && !entry.loaded && messages.length === 0 ? <li className="messages-note">Loading messages…</li> : null}
        {entry?.loaded && messages.length === 0 && pending.length === 0 ? (
          <li className="messages-note">No messages yet. Say hello!</li>
        ) : null}
        {messages.map((message) =>
          message.kind === 'system' ? (
            <li key={message.id} className="message system">
              <span className="body">{message.body}</span> <time dateTime={new Date(message.createdAt).toISOString()}>{formatTime(message.createdAt)}</time>
            </li>
          ) : (
            <li key={message.id} className={`message${message.senderId === myId ? ' mine' : ''}`}>
              <div className="message-meta">
                <span className="sender">{message.senderId === myId ? myName : (names.get(message.senderId ?? 0) ?? 'Former member')}</span>{' '}
                <time dateTime={new Date(message.createdAt).toISOString()}>{formatTime(message.createdAt)}</time>
              </div>
              <div className="body">{message.body}</div>
            </li>
          ),
        )}
        {pending.map((message) => (
          <li key={message.clientId} className={`message mine pending${message.status === 'failed' ? ' failed' : ''}`}>
            <div className="message-meta">
              <span className="sender">{myName}</span>{' '}
              <span className="pending-status">
                {message.status === 'sending' ? 'Sending…' : `Not sent${message.error ? `: ${message.error}` : ''}`}
              </span>
            </div>
            <div className="body">{message.body}</div>
            {message.status === 'failed' ? (
              <div className="pending-actions">
                <button type="button" className="link" onClick={() => controller.retryMessage(conversation.id, message.clientId)}>
                  Retry
                </button>
                <button type="button" className="link" onClick={() => controller.discardMessage(conversation.id, message.clientId)}>
                  Discard
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
