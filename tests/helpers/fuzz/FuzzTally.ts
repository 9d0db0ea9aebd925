/**
 * What a fuzz campaign saw, summed over every connection. The `problems` are what the test
 * asserts to be zero; the rest is for the report.
 */
export class FuzzTally {
  /** Frames handed to a socket. */
  sent = 0;
  /** Answers by kind: a result, an error on the frame's id, an id-less protocol.error, or the socket closed by the server with the expected code. */
  readonly answered = { result: 0, error: 0, protocolError: 0, close: 0 };
  /** Error codes of answers (error frames and protocol.error notifications). */
  readonly errorCodes = new Map<string, number>();
  /** Close codes of sockets the server closed as expected. */
  readonly closeCodes = new Map<number, number>();
  /** Notifications other than protocol.error (presence and the like), by event. */
  readonly notifications = new Map<string, number>();
  readonly problems = {
    /** Frames with no answer: no error/result, no protocol.error, no close with an expected code. */
    unanswered: 0,
    /** Answers with code INTERNAL: the server failed on a frame. */
    internal: 0,
    /** Answers whose code is not in ERROR_CODES, or whose shape is not a server frame. */
    untyped: 0,
    /** An invalid frame answered with something else than BAD_REQUEST, UNKNOWN_METHOD or RATE_LIMITED. */
    wrongCodeForInvalid: 0,
    /** A result for a frame the protocol's parser rejects: the server acted on an invalid frame. */
    resultForInvalid: 0,
    /** An answer (result, error or protocol.error) matching no frame sent. */
    unexpectedAnswer: 0,
    /** A socket closed by the server without a frame that warrants it, or with another code. */
    unexpectedClose: 0,
  };
  /** The first problems, each with the frame that caused it. */
  readonly examples: string[] = [];

  count<K>(map: Map<K, number>, key: K, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  problem(kind: keyof FuzzTally['problems'], detail: string, by = 1): void {
    this.problems[kind] += by;
    if (this.examples.length < 20) this.examples.push(`${kind}: ${detail}`);
  }

  totalProblems(): number {
    return Object.values(this.problems).reduce((a, b) => a + b, 0);
  }

  totalAnswered(): number {
    return Object.values(this.answered).reduce((a, b) => a + b, 0);
  }

  summary(): Record<string, unknown> {
    return {
      sent: this.sent,
      answered: this.answered,
      problems: this.problems,
      errorCodes: Object.fromEntries(this.errorCodes),
      closeCodes: Object.fromEntries(this.closeCodes),
      notifications: Object.fromEntries(this.notifications),
      examples: this.examples,
    };
  }
}
