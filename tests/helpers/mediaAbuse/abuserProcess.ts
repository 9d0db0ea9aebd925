/**
 * Child side of `startMediaPortAbuser`: runs abuse plans sent over IPC and answers with their
 * tallies; exits when the parent goes away.
 */
import { answerParent } from '../../../bench/lib/IpcChild.js';
import { runAbuse, type AbuseRequest } from './MediaPortAbuser.js';

answerParent<AbuseRequest>(
  (request) => runAbuse(request.plan),
  () => process.exit(0),
);
