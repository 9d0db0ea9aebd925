import type { AppSlice } from './AppState.js';

/**
 * Where the guest page is (renderer/guest/GuestController.ts moves it along):
 *
 * - `loading`: asking the server about the room (GET /api/guest/<id>).
 * - `unavailable`: the link is malformed, or the room does not exist or does not allow guests.
 * - `form`: the room is open to guests: ask for a name (`Your name`, `Join call`).
 * - `connecting`: getting a guest token, connecting, looking for the room's call.
 * - `waiting`: connected, no call in the room yet; joins by itself when the host starts one.
 * - `inCall`: the group call engine has the call (GroupCallPanel shows it).
 * - `left`: I pressed `Leave call`; `Join again` is offered.
 * - `dropped`: I am out of a call that goes on without me (the join failed, I was replaced…);
 *   the group call notice says why, and `Join again` is offered.
 */
export type GuestPhase = 'loading' | 'unavailable' | 'form' | 'connecting' | 'waiting' | 'inCall' | 'left' | 'dropped';

/** The guest page of one room. */
export interface GuestView {
  /** The room the link is for; null for a malformed link. */
  conversationId: number | null;
  /** The room's title from the server; '' until known. */
  title: string;
  phase: GuestPhase;
  /** A problem to show as an alert (room unavailable, name refused, session ended); null: none. */
  error: string | null;
}

/** Status texts of the guest page (STYLE.md §14: state is visible as text). */
export const GUEST_STATUS: Partial<Record<GuestPhase, string>> = {
  loading: 'Loading…',
  connecting: 'Joining…',
  waiting: 'No call in progress yet — waiting for the host',
  left: 'You left the call',
  dropped: 'You are not in the call',
};

export interface GuestSlice {
  /** Set only on the guest page (`#/guest/<id>`); null in the member app. */
  guest: GuestView | null;
  setGuest(view: GuestView | null): void;
  updateGuest(patch: Partial<GuestView>): void;
}

export const initialGuestState = { guest: null as GuestView | null };

export const createGuestSlice: AppSlice<GuestSlice> = (set) => ({
  ...initialGuestState,
  setGuest: (guest) => set({ guest }),
  updateGuest: (patch) => set((state) => (state.guest ? { guest: { ...state.guest, ...patch } } : {})),
});
