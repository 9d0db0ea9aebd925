import { requests, type GroupCallInfo, type GroupParticipant, type RequestMethod, type ResponseData } from '../../../../common/protocol/index.js';
import type { FakeSocket, SentRequest } from '../fakes.js';

export const CALL_ID = 'call_AAAAAAAAAAAAAAAA';
export const CONVERSATION_ID = 20;

export function participant(participantId: string, userId: number, displayName: string, overrides: Partial<GroupParticipant> = {}): GroupParticipant {
  return { participantId, userId, displayName, guest: false, host: false, muted: false, mutedByHost: false, joinedAt: 5_000, ...overrides };
}

export function callInfo(participants: GroupParticipant[], overrides: Partial<GroupCallInfo> = {}): GroupCallInfo {
  return { callId: CALL_ID, conversationId: CONVERSATION_ID, startedAt: 5_000, cap: 50, participants, ...overrides };
}

export function joinResponse(call: GroupCallInfo, participantId: string, transportSuffix = '1'): ResponseData<'group.join'> {
  const transport = (id: string) => ({ id, iceParameters: { usernameFragment: 'u', password: 'p' }, iceCandidates: [], dtlsParameters: { fingerprints: [] } });
  return {
    call,
    participantId,
    routerRtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] },
    sendTransport: transport(`send-${transportSuffix}`),
    recvTransport: transport(`recv-${transportSuffix}`),
    ice: { iceServers: [{ urls: ['turn:turn.example:3478'], username: 'u', credential: 'c' }], iceTransportPolicy: 'all', expiresAt: 99_000 },
  };
}

/** Thrown by a handler to answer with an error frame. */
export class Fail {
  constructor(readonly code: string) {}
}

type Handler = (data: Record<string, unknown>) => unknown;

/**
 * A scripted signaling server for group calls on a FakeSocket: every request is checked
 * against the protocol's request schema (a bad frame fails the test), recorded, and answered
 * on a microtask by its handler (which may return a promise to hold the answer back).
 */
export class FakeGroupServer {
  readonly requests: SentRequest[] = [];
  readonly invalid: string[] = [];
  readonly handlers = new Map<string, Handler>();

  constructor(private socket: FakeSocket) {
    this.on('group.start', () => ({ call: callInfo([]) }));
    this.on('group.join', () => joinResponse(callInfo([participant('p-me', 1, 'Alice', { host: true }), participant('p-bob', 2, 'Bob')]), 'p-me'));
    this.on('group.produce', () => ({ producerId: 'producer-me' }));
    this.on('group.restartIce', () => ({ iceParameters: { usernameFragment: 'u2', password: 'p2' } }));
    this.attach(socket);
  }

  /** Serve a new socket (after a reconnect). */
  attach(socket: FakeSocket): void {
    this.socket = socket;
    socket.onRequest = (request) => {
      this.requests.push(request);
      const schema = requests[request.method as RequestMethod]?.request;
      if (!schema?.safeParse(request.data).success) this.invalid.push(`${request.method} ${JSON.stringify(request.data)}`);
      const handler = this.handlers.get(request.method) ?? (() => ({}));
      queueMicrotask(() => {
        void (async () => {
          try {
            const result = await handler(request.data);
            if (socket.readyState === 1) socket.respond(request.id, result);
          } catch (error) {
            if (socket.readyState === 1) socket.fail(request.id, error instanceof Fail ? error.code : 'INTERNAL');
          }
        })();
      });
    };
  }

  on(method: RequestMethod, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  notify(event: string, data: unknown): void {
    this.socket.notify(event, data);
  }

  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  sent(method: RequestMethod): Record<string, unknown>[] {
    return this.requests.filter((r) => r.method === method).map((r) => r.data);
  }
}
