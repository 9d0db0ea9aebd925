import type { HostCommand, IncomingRing, RingResponse } from '../../common/bridge.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { RingPolicy } from './RingPolicy.js';

/** The ring window as the controller sees it. */
export interface RingSurface {
  open(): void;
  close(): void;
  focus(): void;
}

export interface RingControllerOptions {
  policy: RingPolicy;
  window: RingSurface;
  /** Native notification; `onClick` brings the ring window forward. */
  notify: (notification: { title: string; body: string }, onClick: () => void) => void;
  /** Send a command to the main window's renderer. */
  sendToMain: (command: HostCommand) => void;
  /** Show and focus the main window (after accepting). */
  showMain: () => void;
  /** Whether the user's presence is do-not-disturb (last HostState). */
  isDnd: () => boolean;
  /** The missed-call count changed (tray tooltip, badge). */
  onMissedCallsChange: (count: number) => void;
  logger?: Logger;
}

/** Turns the ring policy's decisions into windows, notifications and commands. */
export class RingController {
  private readonly logger: Logger;

  constructor(private readonly options: RingControllerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get current(): IncomingRing | null {
    return this.options.policy.current;
  }

  get missedCalls(): number {
    return this.options.policy.missedCalls;
  }

  started(ring: IncomingRing): void {
    const decision = this.options.policy.started(ring, { dnd: this.options.isDnd() });
    this.logger.info('ring started', { callId: ring.callId, decision: decision.kind });
    switch (decision.kind) {
      case 'show':
        this.options.window.open();
        this.options.notify({ title: 'Incoming call', body: `${ring.callerName || 'Someone'} is calling` }, () => this.options.window.focus());
        return;
      case 'suppressed':
        this.options.onMissedCallsChange(this.options.policy.missedCalls);
        return;
      case 'ignored':
        return;
    }
  }

  ended(callId: string, missed: boolean): void {
    const decision = this.options.policy.ended(callId, missed);
    if (decision.closeWindow) this.options.window.close();
    if (decision.countedMissed) this.options.onMissedCallsChange(this.options.policy.missedCalls);
  }

  /** An answer from the ring window; ignored unless it is about the ring being shown. */
  answer(callId: string, response: RingResponse): boolean {
    const decision = this.options.policy.answered(callId, response);
    if (!decision.relay) return false;
    this.options.window.close();
    this.options.sendToMain({ type: 'answerRing', callId, response });
    if (response === 'accept') this.options.showMain();
    return true;
  }

  clearMissed(): void {
    this.options.policy.clearMissed();
    this.options.onMissedCallsChange(0);
  }
}
