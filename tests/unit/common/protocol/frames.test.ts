import { describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import {
  encodeError,
  encodeNotification,
  encodeRequest,
  encodeResponse,
  parseClientFrame,
  parseResponse,
  parseServerFrame,
  type ClientFrameResult,
} from '../../../../common/protocol/frames.js';

const frame = (value: unknown) => JSON.stringify(value);

function expectFailure(result: ClientFrameResult): { id: number | null; error: EarshotError } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.request)}`);
  expect(result.error).toBeInstanceOf(EarshotError);
  return result;
}

function expectRequest(result: ClientFrameResult) {
  if (!result.ok) throw new Error(`expected a request, got ${result.error.code}: ${result.error.message}`);
  return result.request;
}

describe('parseClientFrame', () => {
  describe('with a valid request', () => {
    it('parses a method without data', () => {
      expect(expectRequest(parseClientFrame(frame({ id: 1, method: 'sync.state' })))).toStrictEqual({ id: 1, method: 'sync.state', data: {} });
    });

    it('parses a method with data', () => {
      const request = expectRequest(parseClientFrame(frame({ id: 7, method: 'conversations.createDirect', data: { userId: 3 } })));
      expect(request).toStrictEqual({ id: 7, method: 'conversations.createDirect', data: { userId: 3 } });
    });

    it('applies schema transforms (trimmed message body)', () => {
      const request = expectRequest(
        parseClientFrame(frame({ id: 2, method: 'messages.send', data: { conversationId: 5, clientId: 'abcdefgh', body: '  hi  ' } })),
      );
      expect(request.data).toStrictEqual({ conversationId: 5, clientId: 'abcdefgh', body: 'hi' });
    });

    it('applies the default limit of 50 to messages.history', () => {
      const request = expectRequest(parseClientFrame(frame({ id: 3, method: 'messages.history', data: { conversationId: 9 } })));
      expect(request).toStrictEqual({ id: 3, method: 'messages.history', data: { conversationId: 9, limit: 50 } });
    });

    it('keeps an explicit limit and cursor in messages.history', () => {
      const request = expectRequest(
        parseClientFrame(frame({ id: 3, method: 'messages.history', data: { conversationId: 9, before: 100, limit: 10 } })),
      );
      expect(request.data).toStrictEqual({ conversationId: 9, before: 100, limit: 10 });
    });

    it('accepts after: 0 in messages.history (catch up from the start)', () => {
      const request = expectRequest(parseClientFrame(frame({ id: 3, method: 'messages.history', data: { conversationId: 9, after: 0 } })));
      expect(request.data).toStrictEqual({ conversationId: 9, after: 0, limit: 50 });
    });

    it('parses presence.set', () => {
      const request = expectRequest(parseClientFrame(frame({ id: 4, method: 'presence.set', data: { status: 'dnd' } })));
      expect(request.data).toStrictEqual({ status: 'dnd' });
    });

    it('accepts the largest safe integer as an id', () => {
      const request = expectRequest(parseClientFrame(frame({ id: Number.MAX_SAFE_INTEGER, method: 'sync.state' })));
      expect(request.id).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('with a frame that is not an envelope', () => {
    it.each([['not JSON', '{nope'], ['empty', ''], ['truncated', '{"id":1,"method":"sync.st']])(
      'answers %s with BAD_REQUEST and no id',
      (_why, text) => {
        const { id, error } = expectFailure(parseClientFrame(text));
        expect(id).toBeNull();
        expect(error.code).toBe('BAD_REQUEST');
      },
    );

    it.each([['null', 'null'], ['a number', '42'], ['a string', '"hello"'], ['an array', '[1,2]']])('rejects %s with no id', (_why, text) => {
      const { id, error } = expectFailure(parseClientFrame(text));
      expect(id).toBeNull();
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects a frame without an id, with no id to answer', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ method: 'sync.state' })));
      expect(id).toBeNull();
      expect(error.code).toBe('BAD_REQUEST');
    });

    it.each([
      ['zero', 0],
      ['negative', -5],
      ['fractional', 1.5],
      ['a string', '1'],
      ['above MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER + 1],
      ['huge', 1e308],
    ])('rejects an id that is %s, with no id to answer', (_why, badId) => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: badId, method: 'sync.state' })));
      expect(id).toBeNull();
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects an id written with more digits than a double holds', () => {
      const { id, error } = expectFailure(parseClientFrame('{"id":123456789012345678901234567890,"method":"sync.state"}'));
      expect(id).toBeNull();
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('answers a missing method on the request id', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 5 })));
      expect(id).toBe(5);
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('answers an extra envelope key with BAD_REQUEST on the request id', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 6, method: 'sync.state', extra: true })));
      expect(id).toBe(6);
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects an over-long method name', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 6, method: 'x'.repeat(65) })));
      expect(id).toBe(6);
      expect(error.code).toBe('BAD_REQUEST');
    });
  });

  describe('with an unknown method', () => {
    it('answers UNKNOWN_METHOD on the request id', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 11, method: 'calls.teleport' })));
      expect(id).toBe(11);
      expect(error.code).toBe('UNKNOWN_METHOD');
      expect(error.message).toContain('calls.teleport');
    });

    it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])('does not treat the inherited name %j as a method', (method) => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 12, method })));
      expect(id).toBe(12);
      expect(error.code).toBe('UNKNOWN_METHOD');
    });
  });

  describe('with data that violates the schema', () => {
    it('answers BAD_REQUEST on the request id, naming the method', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 21, method: 'conversations.createDirect', data: { userId: 'x' } })));
      expect(id).toBe(21);
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('conversations.createDirect');
      expect(error.message).toContain('userId');
    });

    it('rejects missing required data', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 22, method: 'messages.send' })));
      expect(id).toBe(22);
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects extra keys in data (strict schemas)', () => {
      const { id, error } = expectFailure(parseClientFrame(frame({ id: 23, method: 'sync.state', data: { admin: true } })));
      expect(id).toBe(23);
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects extra keys next to valid data', () => {
      const { error } = expectFailure(
        parseClientFrame(frame({ id: 24, method: 'conversations.markRead', data: { conversationId: 1, messageId: 2, userId: 3 } })),
      );
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects messages.history with both before and after', () => {
      const { id, error } = expectFailure(
        parseClientFrame(frame({ id: 25, method: 'messages.history', data: { conversationId: 1, before: 10, after: 2 } })),
      );
      expect(id).toBe(25);
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('either before or after');
    });

    it.each([0, 201, 2.5])('rejects messages.history with limit %j', (limit) => {
      const { error } = expectFailure(parseClientFrame(frame({ id: 26, method: 'messages.history', data: { conversationId: 1, limit } })));
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects a message body that is blank after trimming', () => {
      const { error } = expectFailure(
        parseClientFrame(frame({ id: 27, method: 'messages.send', data: { conversationId: 1, clientId: 'abcdefgh', body: '   ' } })),
      );
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects a huge conversation id', () => {
      const { error } = expectFailure(parseClientFrame(frame({ id: 28, method: 'conversations.join', data: { conversationId: 2 ** 60 } })));
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects data that is not an object', () => {
      const { error } = expectFailure(parseClientFrame(frame({ id: 29, method: 'users.search', data: 'alice' })));
      expect(error.code).toBe('BAD_REQUEST');
    });

    it('rejects a mediasoup parameter object nested too deep to serialize, without throwing (found by the protocol fuzzer)', () => {
      // 5,000 levels fit in a 30 KB frame; JSON.stringify overflows the stack on them.
      const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
      const text = `{"id":30,"method":"group.connectTransport","data":{"callId":"aaaaaaaaaaaaaaaa","transportId":"t","dtlsParameters":${deep}}}`;
      const { id, error } = expectFailure(parseClientFrame(text));
      expect({ id, code: error.code }).toEqual({ id: 30, code: 'BAD_REQUEST' });
    });
  });

  it('never throws, whatever the input', () => {
    for (const text of ['', '\u0000', '{"id":1,"method":"sync.state","data":{"__proto__":{"x":1}}}', '[]', 'true', '{"id":{}}']) {
      expect(() => parseClientFrame(text)).not.toThrow();
    }
  });
});

describe('parseServerFrame', () => {
  it('parses a response', () => {
    expect(parseServerFrame(frame({ id: 3, result: { ok: 1 } }))).toStrictEqual({ kind: 'response', id: 3, result: { ok: 1 } });
  });

  it('parses an error response', () => {
    expect(parseServerFrame(frame({ id: 4, error: { code: 'NOT_FOUND', message: 'gone' } }))).toStrictEqual({
      kind: 'error',
      id: 4,
      error: { code: 'NOT_FOUND', message: 'gone' },
    });
  });

  it('parses a valid notification', () => {
    expect(parseServerFrame(frame({ event: 'presence.changed', data: { userId: 2, status: 'busy' } }))).toStrictEqual({
      kind: 'notification',
      event: 'presence.changed',
      data: { userId: 2, status: 'busy' },
    });
  });

  it('parses protocol.error', () => {
    const parsed = parseServerFrame(frame({ event: 'protocol.error', data: { code: 'BAD_REQUEST', message: 'x' } }));
    expect(parsed).toStrictEqual({ kind: 'notification', event: 'protocol.error', data: { code: 'BAD_REQUEST', message: 'x' } });
  });

  it.each([
    ['not JSON', '<html>'],
    ['an unknown event', frame({ event: 'presence.exploded', data: {} })],
    ['notification data that fails its schema', frame({ event: 'presence.changed', data: { userId: 2, status: 'asleep' } })],
    ['a notification without data', frame({ event: 'conversation.removed', data: {} })],
    ['an error with an unknown code', frame({ id: 1, error: { code: 'WHATEVER', message: 'x' } })],
    ['both result and error', frame({ id: 1, result: {}, error: { code: 'INTERNAL', message: 'x' } })],
    ['an id of zero', frame({ id: 0, result: {} })],
    ['an array', '[]'],
  ])('throws BAD_REQUEST for %s', (_why, text) => {
    expect(() => parseServerFrame(text)).toThrow(EarshotError);
    try {
      parseServerFrame(text);
    } catch (error) {
      expect((error as EarshotError).code).toBe('BAD_REQUEST');
    }
  });
});

describe('parseResponse', () => {
  it('returns the validated response data', () => {
    expect(parseResponse('presence.set', { status: 'dnd' })).toStrictEqual({ status: 'dnd' });
  });

  it('throws BAD_REQUEST for a malformed response', () => {
    expect(() => parseResponse('presence.set', { status: 'asleep' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

describe('encoders', () => {
  describe('encodeRequest', () => {
    it('round-trips through parseClientFrame', () => {
      const text = encodeRequest(9, 'users.search', { query: 'ali' });
      expect(expectRequest(parseClientFrame(text))).toStrictEqual({ id: 9, method: 'users.search', data: { query: 'ali' } });
    });

    it('round-trips a request without data', () => {
      expect(expectRequest(parseClientFrame(encodeRequest(1, 'conversations.listRooms', undefined)))).toStrictEqual({
        id: 1,
        method: 'conversations.listRooms',
        data: {},
      });
    });
  });

  describe('encodeResponse', () => {
    it('round-trips through parseServerFrame', () => {
      expect(parseServerFrame(encodeResponse(5, { unread: 0 }))).toStrictEqual({ kind: 'response', id: 5, result: { unread: 0 } });
    });
  });

  describe('encodeError', () => {
    it('round-trips an error with an id as an error response', () => {
      expect(parseServerFrame(encodeError(6, { code: 'FORBIDDEN', message: 'no' }))).toStrictEqual({
        kind: 'error',
        id: 6,
        error: { code: 'FORBIDDEN', message: 'no' },
      });
    });

    it('sends an error without an id as a protocol.error notification', () => {
      expect(parseServerFrame(encodeError(null, { code: 'BAD_REQUEST', message: 'not JSON' }))).toStrictEqual({
        kind: 'notification',
        event: 'protocol.error',
        data: { code: 'BAD_REQUEST', message: 'not JSON' },
      });
    });
  });

  describe('encodeNotification', () => {
    it('round-trips through parseServerFrame', () => {
      const message = { id: 1, conversationId: 2, senderId: 3, kind: 'text' as const, body: 'hi', createdAt: 1000, clientId: 'abcdefgh' };
      expect(parseServerFrame(encodeNotification('message.new', { message }))).toStrictEqual({
        kind: 'notification',
        event: 'message.new',
        data: { message },
      });
    });
  });
});
