import { z } from 'zod';
import {
  DeviceReport,
  HostState,
  type HostingInfo,
  IncomingRing,
  RingResponse,
  SettingsSchema,
  type IncomingRing as IncomingRingType,
  type SettingKey,
  type Settings,
} from './bridge.js';
import type { WireError } from './errors.js';

/**
 * The IPC contract behind `DesktopBridge` (common/bridge.ts): one namespaced channel per bridge
 * method, the runtime schema of its arguments, who may call it, and what it returns. Preload
 * invokes these channels; main validates every call against this table before acting.
 */

/** Which window may invoke a channel: the main window, the ring window, or either (both load the app's own origin). */
export type IpcSender = 'main' | 'ring' | 'app';

/** A setting's name, checked at runtime. */
export const SettingKeySchema = z.enum(Object.keys(SettingsSchema.shape) as [SettingKey, ...SettingKey[]]);

const CallId = IncomingRing.shape.callId;

export const BridgeNotificationSchema = z.strictObject({
  title: z.string().max(256),
  body: z.string().max(1024),
  tag: z.string().max(128).optional(),
});

/** `[key, value]` where value must fit that key's schema (a ZodError otherwise). */
const SettingsSetArgs = z.tuple([SettingKeySchema, z.unknown()]).superRefine(([key, value], ctx) => {
  const parsed = SettingsSchema.shape[key].safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [1, ...issue.path] });
  }
});

/** Every invoke channel: argument tuple schema and allowed sender. Tuples reject extra arguments. */
export const IPC_CONTRACT = {
  'notify:show': { args: z.tuple([BridgeNotificationSchema]), from: 'main' },
  'settings:get': { args: z.tuple([SettingKeySchema]), from: 'app' },
  'settings:set': { args: SettingsSetArgs, from: 'main' },
  'session:get': { args: z.tuple([]), from: 'main' },
  'session:set': { args: z.tuple([z.string().min(1).max(4096).nullable()]), from: 'main' },
  'badge:set': { args: z.tuple([z.number().int().min(0).max(1_000_000)]), from: 'main' },
  'devices:report': { args: z.tuple([DeviceReport]), from: 'main' },
  'state:report': { args: z.tuple([HostState]), from: 'main' },
  'ring:started': { args: z.tuple([IncomingRing]), from: 'main' },
  'ring:ended': { args: z.tuple([CallId, z.boolean()]), from: 'main' },
  'ring:current': { args: z.tuple([]), from: 'ring' },
  'ring:answer': { args: z.tuple([CallId, RingResponse]), from: 'ring' },
  'hosting:info': { args: z.tuple([]), from: 'main' },
} as const satisfies Record<string, { args: z.ZodType<readonly unknown[]>; from: IpcSender }>;

export type IpcChannel = keyof typeof IPC_CONTRACT;
export const IPC_CHANNELS = Object.keys(IPC_CONTRACT) as IpcChannel[];

/** The parsed arguments of a channel. */
export type IpcArgs<C extends IpcChannel> = z.output<(typeof IPC_CONTRACT)[C]['args']>;

/** What each channel resolves to. */
export interface IpcResults {
  'notify:show': boolean;
  'settings:get': Settings[SettingKey];
  'settings:set': void;
  'session:get': string | null;
  'session:set': void;
  'badge:set': void;
  'devices:report': void;
  'state:report': void;
  'ring:started': void;
  'ring:ended': void;
  'ring:current': IncomingRingType | null;
  'ring:answer': void;
  'hosting:info': HostingInfo | null;
}

/**
 * Every invoke resolves to this envelope, so a typed `{ code, message }` reaches the page
 * (Electron flattens errors thrown in handlers into a message string).
 */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Main → main window: a `HostCommand` (common/bridge.ts), sent with `webContents.send`. */
export const HOST_COMMAND_CHANNEL = 'host:command';
