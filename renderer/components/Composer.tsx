import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useController } from '../app/AppContext.js';

/** Text box + Send. Enter sends, Shift+Enter adds a line. Works offline: messages queue as pending. */
export function Composer({ conversationId, label }: { conversationId: number; label: string }) {
  const controller = useController();
  const [text, setText] = useState('');
  const id = useId();

  const send = () => {
    if (!text.trim()) return;
    controller.sendMessage(conversationId, text);
    setText('');
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter confirms an IME composition, it must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor={`${id}-message`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${id}-message`}
        rows={2}
        maxLength={4000}
        placeholder={`Message ${label}`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="primary" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
