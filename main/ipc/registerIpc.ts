import { EarshotError, type WireError } from '../../common/errors.js';
import { IPC_CHANNELS, IPC_CONTRACT, type IpcArgs, type IpcChannel, type IpcReply, type IpcResults, type IpcSender } from '../../common/ipc.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { APP_ORIGIN, originOf } from '../protocol/appOrigin.js';

/**
 * Every `ipcMain.handle` of the app, behind one gate: the sender must be the top frame of one of
 * our windows showing the app's own origin (and, per channel, the right window); the arguments
 * must parse with the channel's schema in common/ipc.ts. A call that fails either check gets a
 * typed `{ code, message }` (FORBIDDEN / BAD_REQUEST) and reaches no handler, so it changes nothing.
 */

/** The implementation of each channel, with parsed arguments. */
export type IpcHandlers = { [C in IpcChannel]: (...args: IpcArgs<C>) => IpcResults[C] | Promise<IpcResults[C]> };

/** The slice of an `IpcMainInvokeEvent` that is checked. */
export interface IpcEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Which webContents are ours, looked up at call time (windows come and go). */
export interface IpcSenders {
  mainContentsId(): number | null;
  ringContentsId(): number | null;
}

/** Why a sender may not use a channel, or null when it may. */
export function checkSender(from: IpcSender, event: IpcEventLike, senders: IpcSenders): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the calling frame is gone';
  if (frame.parent !== null && frame.parent !== undefined) return 'only the top frame may call the host';
  if (originOf(frame.url) !== APP_ORIGIN) return `origin ${originOf(frame.url) ?? '(none)'} may not call the host`;
  const id = event.sender.id;
  const isMain = id === senders.mainContentsId();
  const isRing = id === senders.ringContentsId();
  if (from === 'main' && !isMain) return 'only the main window may use this channel';
  if (from === 'ring' && !isRing) return 'only the ring window may use this channel';
  if (from === 'app' && !isMain && !isRing) return 'not an Earshot window';
  return null;
}

/** Validate and run one invoke; never throws. Exported for tests. */
export async function handleInvoke(
  channel: IpcChannel,
  event: IpcEventLike,
  rawArgs: unknown[],
  handlers: IpcHandlers,
  senders: IpcSenders,
  logger: Logger = silentLogger,
): Promise<IpcReply<unknown>> {
  const contract = IPC_CONTRACT[channel];
  const refused = checkSender(contract.from, event, senders);
  if (refused) {
    logger.warn('IPC refused', { channel, reason: refused, url: event.senderFrame?.url });
    return fail({ code: 'FORBIDDEN', message: `${channel}: ${refused}` });
  }
  const parsed = contract.args.safeParse(rawArgs);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.length ? `arg ${i.path.join('.')}` : 'arguments'}: ${i.message}`).join('; ');
    logger.warn('IPC bad arguments', { channel, detail });
    return fail({ code: 'BAD_REQUEST', message: `${channel}: ${detail}` });
  }
  try {
    const handler = handlers[channel] as (...args: unknown[]) => unknown;
    const value = await handler(...(parsed.data as unknown[]));
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    if (error instanceof EarshotError) return fail(error.toWire());
    logger.error('IPC handler failed', { channel, error: String(error) });
    return fail({ code: 'INTERNAL', message: `${channel}: internal error` });
  }
}

function fail(error: WireError): IpcReply<never> {
  return { ok: false, error };
}

/** Register every channel of the contract; returns a function removing them again. */
export function registerIpc(ipcMain: IpcMainLike, handlers: IpcHandlers, senders: IpcSenders, logger: Logger = silentLogger): () => void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => handleInvoke(channel, event, args, handlers, senders, logger));
  }
  return () => IPC_CHANNELS.forEach((channel) => ipcMain.removeHandler(channel));
}
