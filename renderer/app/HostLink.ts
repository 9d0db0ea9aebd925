import { HostCommand, type DesktopBridge, type HostState } from '../../common/bridge.js';
import { assertUnreachable } from '../../common/errors.js';
import type { CallController } from '../call/CallController.js';
import type { DeviceManager } from '../devices/DeviceManager.js';
import type { GroupCallController } from '../group/GroupCallController.js';
import { createLogger, type Logger } from '../lib/createLogger.js';
import type { AppState, AppStore } from '../store/index.js';
import type { AppController } from './AppController.js';

export interface HostLinkOptions {
  store: AppStore;
  bridge: Pick<DesktopBridge, 'onCommand' | 'reportState'>;
  app: Pick<AppController, 'setPresence' | 'selectConversation'>;
  calls: Pick<CallController, 'toggleMute' | 'accept' | 'decline'>;
  groupCalls: Pick<GroupCallController, 'toggleMute' | 'join'>;
  devices: Pick<DeviceManager, 'choose'>;
  /** Clock, ms since epoch (how long a command may wait for the sign-in). */
  now?: () => number;
  logger?: Logger;
}

/** Commands about the signed-in account: they wait until the account's state has loaded. */
type SessionCommand = Extract<HostCommand, { type: 'setPresence' | 'openConversation' | 'joinGroupCall' }>;

/** How many session commands may wait, and for how long (a deep link clicked at launch, before sign-in). */
const MAX_WAITING = 8;
const WAIT_MS = 120_000;

/** What the tray shows, from the store: signed in, chosen presence, in a call, muted there. */
export function hostStateOf(state: AppState): HostState {
  const me = state.me;
  const signedIn = state.authStatus === 'signedIn';
  const group = state.groupCall;
  const call = state.call;
  // Ringing is not "in a call": the tray shows a call only once it is placed or answered.
  const inCall = group !== null || (call !== null && call.phase !== 'incoming');
  return {
    signedIn,
    presence: me && state.presence[me.id] === 'dnd' ? 'dnd' : 'online',
    inCall,
    muted: inCall && (group ? group.muted : (call?.muted ?? false)),
  };
}

/**
 * The renderer's side of the host: carries out HostCommands from the tray, the native menus,
 * the global mute shortcut, the ring window and deep links, and reports the host state (tray
 * icon and menu) whenever it changes. Every command is parsed first: it crossed a process boundary.
 */
export class HostLink {
  readonly #options: HostLinkOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  #offs: Array<() => void> = [];
  #lastState = '';
  /** Session commands that came before the account's conversations were loaded, oldest first. */
  #waiting: Array<{ command: SessionCommand; at: number }> = [];

  constructor(options: HostLinkOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger ?? createLogger('host');
  }

  /** Listen for commands and report the state now and after every change. */
  start(): void {
    const { bridge, store } = this.#options;
    this.#offs.push(bridge.onCommand((command) => void this.handle(command)));
    this.#offs.push(
      store.subscribe((state) => {
        this.#report(state);
        if (this.#waiting.length > 0 && sessionLoaded(state)) this.#runWaiting();
      }),
    );
    this.#report(store.getState());
  }

  dispose(): void {
    this.#offs.forEach((off) => off());
    this.#offs = [];
    this.#waiting = [];
  }

  /** Carry out one command; malformed ones are logged and dropped. */
  async handle(input: unknown): Promise<void> {
    const parsed = HostCommand.safeParse(input);
    if (!parsed.success) {
      this.#log.warn('malformed host command dropped', parsed.error.message);
      return;
    }
    const command = parsed.data;
    if (isSessionCommand(command) && !sessionLoaded(this.#options.store.getState())) {
      // Sent at launch (deep link, tray) before sign-in finished: carry it out once it has.
      this.#waiting.push({ command, at: this.#now() });
      if (this.#waiting.length > MAX_WAITING) this.#waiting.shift();
      return;
    }
    try {
      await this.#run(command);
    } catch (error) {
      this.#log.warn(`[command:${command.type}] failed`, error);
    }
  }

  #runWaiting(): void {
    const waiting = this.#waiting.splice(0);
    // After the store update that said so has reached every subscriber.
    queueMicrotask(() => {
      for (const { command, at } of waiting) {
        if (this.#now() - at <= WAIT_MS) void this.handle(command);
      }
    });
  }

  async #run(command: HostCommand): Promise<void> {
    const { store, app, calls, groupCalls, devices } = this.#options;
    const state = store.getState();
    switch (command.type) {
      case 'toggleMute':
        // The group call wins: a 1-on-1 call and a group call never run at once, but be definite.
        if (state.groupCall) await groupCalls.toggleMute();
        else if (state.call && state.call.phase !== 'incoming') calls.toggleMute();
        return;
      case 'setPresence':
        await app.setPresence(command.presence);
        return;
      case 'chooseDevice':
        await devices.choose(command.role, command.device);
        return;
      case 'answerRing': {
        // Only the ring still on screen: an answer to an older ring (a slow click) does nothing.
        const call = state.call;
        if (!call || call.phase !== 'incoming' || call.callId !== command.callId) return;
        if (command.response === 'accept') await calls.accept();
        else await calls.decline(command.response === 'busy');
        return;
      }
      case 'openConversation':
        if (state.conversations[command.conversationId]) await app.selectConversation(command.conversationId);
        return;
      case 'joinGroupCall':
        if (!state.conversations[command.conversationId]) return;
        await app.selectConversation(command.conversationId);
        await groupCalls.join(command.conversationId);
        return;
      default:
        assertUnreachable(command);
    }
  }

  #report(state: AppState): void {
    const hostState = hostStateOf(state);
    const key = JSON.stringify(hostState);
    if (key === this.#lastState) return;
    this.#lastState = key;
    void this.#options.bridge.reportState(hostState).catch((error: unknown) => this.#log.warn('cannot report the state', error));
  }
}

/** Signed in and the account's state (me, conversations) loaded from the server. */
function sessionLoaded(state: AppState): boolean {
  return state.authStatus === 'signedIn' && state.synced;
}

function isSessionCommand(command: HostCommand): command is SessionCommand {
  return command.type === 'setPresence' || command.type === 'openConversation' || command.type === 'joinGroupCall';
}
