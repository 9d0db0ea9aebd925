import type { CandidateErrorLike, CandidateLike, PeerConnectionFactory } from './diagnosticsTypes.js';

/**
 * How gathering with one ICE server ended:
 * - `found`: a candidate of the wanted type arrived (a STUN answer, a TURN allocation).
 * - `complete`: gathering finished without one (`errors` says why, when the browser said).
 * - `timeout`: neither within the time limit (e.g. packets silently dropped).
 * - `setupFailed`: the browser refused the configuration or the offer.
 */
export type GatherOutcome =
  | { kind: 'found'; candidate: CandidateLike; errors: CandidateErrorLike[] }
  | { kind: 'complete'; errors: CandidateErrorLike[]; hostCandidates: number }
  | { kind: 'timeout'; errors: CandidateErrorLike[] }
  | { kind: 'setupFailed'; message: string };

/** The candidate's type: RTCIceCandidate.type, or the `typ` field of its SDP line. */
export function candidateType(candidate: CandidateLike): string | undefined {
  return candidate.type ?? /\btyp (\w+)/.exec(candidate.candidate)?.[1];
}

/** `address:port` of a candidate (from its fields, or its SDP line: `… <address> <port> typ …`). */
export function candidateAddress(candidate: CandidateLike): string {
  const fromLine = /\s(\S+) (\d+) typ /.exec(candidate.candidate);
  const address = candidate.address ?? fromLine?.[1] ?? '?';
  const port = candidate.port ?? (fromLine ? Number(fromLine[2]) : undefined);
  return port === undefined ? address : `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * Gather ICE candidates with `configuration` (one STUN or TURN server) on a throwaway
 * RTCPeerConnection with a data channel, until one of type `want` arrives, gathering completes,
 * or `timeoutMs` passes. The connection is closed before the promise resolves; it never rejects.
 */
export function gatherCandidate(createPeerConnection: PeerConnectionFactory, configuration: RTCConfiguration, want: 'srflx' | 'relay', timeoutMs: number): Promise<GatherOutcome> {
  let pc: ReturnType<PeerConnectionFactory>;
  try {
    pc = createPeerConnection(configuration);
  } catch (error) {
    // An unusable URL makes the constructor throw (SyntaxError): that server cannot be used at all.
    return Promise.resolve({ kind: 'setupFailed', message: error instanceof Error ? error.message : String(error) });
  }
  const errors: CandidateErrorLike[] = [];
  let hostCandidates = 0;
  return new Promise<GatherOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: GatherOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      pc.onicecandidate = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
      pc.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', errors }), timeoutMs);
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return finish({ kind: 'complete', errors, hostCandidates });
      const type = candidateType(candidate);
      if (type === want) finish({ kind: 'found', candidate, errors });
      else if (type === 'host') hostCandidates += 1;
    };
    pc.onicecandidateerror = ({ errorCode, errorText, url, address, port }) => {
      errors.push({ errorCode, errorText, url, ...(address != null ? { address } : {}), ...(port != null ? { port } : {}) });
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') finish({ kind: 'complete', errors, hostCandidates });
    };
    // Something to negotiate: without a data channel or a transceiver nothing is gathered.
    pc.createDataChannel('earshot-diagnostics');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: unknown) => finish({ kind: 'setupFailed', message: error instanceof Error ? error.message : String(error) }));
  });
}
