import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from '../store/index.js';
import type { CallController } from '../call/CallController.js';
import type { DeviceManager } from '../devices/DeviceManager.js';
import type { GroupCallController } from '../group/GroupCallController.js';
import type { GuestController } from '../guest/GuestController.js';
import type { AppController } from './AppController.js';

/**
 * The store for the component tree; provided once in main.tsx. Its own context (not read
 * through the AppController) because the guest page has a store but no member controller.
 */
export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside <StoreContext.Provider>');
  return store;
}

/** The controller for the component tree; provided once in main.tsx (member app only). */
export const AppContext = createContext<AppController | null>(null);

export function useController(): AppController {
  const controller = useContext(AppContext);
  if (!controller) throw new Error('useController outside <AppContext.Provider>');
  return controller;
}

/**
 * Read from the store. The selector must return stable references (a slice field, a primitive):
 * derive lists with useMemo in the component, not in the selector.
 */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

/** The 1-on-1 call controller; provided once in main.tsx. */
export const CallContext = createContext<CallController | null>(null);

export function useCalls(): CallController {
  const calls = useContext(CallContext);
  if (!calls) throw new Error('useCalls outside <CallContext.Provider>');
  return calls;
}

/** The group call controller; provided once in main.tsx. */
export const GroupCallContext = createContext<GroupCallController | null>(null);

export function useGroupCalls(): GroupCallController {
  const groupCalls = useContext(GroupCallContext);
  if (!groupCalls) throw new Error('useGroupCalls outside <GroupCallContext.Provider>');
  return groupCalls;
}

/** The guest page's controller; provided in main.tsx on `#/guest/<id>` only. */
export const GuestContext = createContext<GuestController | null>(null);

export function useGuest(): GuestController {
  const guest = useContext(GuestContext);
  if (!guest) throw new Error('useGuest outside <GuestContext.Provider>');
  return guest;
}

/** The audio device manager; provided once in main.tsx (member app only). */
export const DevicesContext = createContext<DeviceManager | null>(null);

export function useDevices(): DeviceManager {
  const devices = useContext(DevicesContext);
  if (!devices) throw new Error('useDevices outside <DevicesContext.Provider>');
  return devices;
}
