import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AppState } from '../store/index.js';
import type { CallController } from '../call/CallController.js';
import type { GroupCallController } from '../group/GroupCallController.js';
import type { AppController } from './AppController.js';

/** The controller for the component tree; provided once in main.tsx. */
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
  return useStore(useController().store, selector);
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
