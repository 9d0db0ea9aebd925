import type { RequestData, RequestMethod, ResponseData } from '../../common/protocol/index.js';
import type { ConnectionState } from '../signaling/SignalingClientTypes.js';

/** The checks of the connection test, in the order they are shown. */
export const CHECK_IDS = ['signaling', 'stun', 'turnUdp', 'turnTcp', 'turnTls', 'sfu'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What people read for each check. */
export const CHECK_LABELS: Record<CheckId, string> = {
  signaling: 'Signaling server',
  stun: 'STUN',
  turnUdp: 'TURN over UDP',
  turnTcp: 'TURN over TCP',
  turnTls: 'TURN over TLS',
  sfu: 'Group call server (SFU)',
};

/**
 * - `running`: not finished yet (only in progress updates).
 * - `ok`: works.
 * - `failed`: offered by the server but does not work from here.
 * - `not-offered`: the server does not offer it (nothing to test).
 * - `skipped`: could not be tested because an earlier step failed (no signaling connection).
 */
export type CheckStatus = 'running' | 'ok' | 'failed' | 'not-offered' | 'skipped';

export interface CheckResult {
  id: CheckId;
  label: string;
  status: CheckStatus;
  /** One line for people: what worked or why not, e.g. `error 701: TURN allocate request timed out.` */
  detail: string;
  /** How long the check took, ms (null while running and for checks that did not run). */
  durationMs: number | null;
  /** The ICE server URL(s) the check used. */
  urls?: string[];
  /** The browser's ICE error code (`icecandidateerror.errorCode`, e.g. 701, 401) when it failed with one. */
  errorCode?: number;
}

export interface DiagnosticsReport {
  /** When the test started, ms since epoch. */
  startedAt: number;
  /** How long the whole test took, ms. */
  durationMs: number;
  /** One result per check, in CHECK_IDS order. */
  checks: CheckResult[];
  /** The signaling URL the page talks to, the browser, and the relay-only setting (for support). */
  environment: { serverUrl: string; userAgent: string; relayOnly: boolean };
}

/** The part of SignalingClient the test uses. */
export interface DiagnosticsSignaling {
  readonly state: ConnectionState;
  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>>;
}

/** A local or relay candidate as the page sees it (the fields of RTCIceCandidate the test reads). */
export interface CandidateLike {
  candidate: string;
  type?: string | null;
  address?: string | null;
  port?: number | null;
  protocol?: string | null;
  /** The STUN/TURN server URL the candidate came from (Chromium). */
  url?: string | null;
}

/** `RTCPeerConnectionIceErrorEvent`'s fields. */
export interface CandidateErrorLike {
  errorCode: number;
  errorText: string;
  url: string;
  address?: string | null;
  port?: number | null;
}

/** A stats report: id → stats object (RTCStatsReport is one). */
export interface StatsLike {
  forEach(callback: (stats: Record<string, unknown>) => void): void;
}

/**
 * The part of RTCPeerConnection the test uses, so unit tests can inject fakes. Handlers are
 * assigned as properties (`pc.onicecandidate = …`).
 */
export interface PeerConnectionLike {
  onicecandidate: ((event: { candidate: CandidateLike | null }) => void) | null;
  onicecandidateerror: ((event: CandidateErrorLike) => void) | null;
  onicegatheringstatechange: (() => void) | null;
  oniceconnectionstatechange: (() => void) | null;
  readonly iceGatheringState: string;
  readonly iceConnectionState: string;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(description: { type: string; sdp?: string }): Promise<void>;
  setRemoteDescription(description: { type: 'answer'; sdp: string }): Promise<void>;
  getStats(): Promise<StatsLike>;
  close(): void;
}

export type PeerConnectionFactory = (configuration: RTCConfiguration) => PeerConnectionLike;

/** Longest wait per kind of check, ms. */
export interface DiagnosticsTimeouts {
  /** The signaling round trip. Default 10 000. */
  signalingMs: number;
  /** Gathering a STUN or TURN candidate. Default 15 000. */
  iceMs: number;
  /** Getting the SFU probe and connecting ICE to it. Default 20 000. */
  sfuMs: number;
}

export interface DiagnosticsOptions {
  /** The signaling client; null while signed out (everything is skipped). */
  signaling: DiagnosticsSignaling | null;
  /** Default: `new RTCPeerConnection(configuration)`. */
  createPeerConnection?: PeerConnectionFactory;
  /** Whether calls are sent through TURN only (the `turnOnly` setting): the SFU check then relays too. */
  relayOnly: boolean;
  /** For the report. */
  environment: { serverUrl: string; userAgent: string };
  timeouts?: Partial<DiagnosticsTimeouts>;
  /** Called whenever a check starts or finishes, with every check's current state. */
  onUpdate?: (checks: CheckResult[]) => void;
  /** Default Date.now (performance.now would do as well; only differences are used). */
  now?: () => number;
}
