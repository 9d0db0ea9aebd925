import { useState } from 'react';
import { BrowseRoomsDialog } from './BrowseRoomsDialog.js';
import { CallHistoryDialog } from './CallHistoryDialog.js';
import { CallNotice } from './CallNotice.js';
import { CallPanel } from './CallPanel.js';
import { IncomingCall } from './IncomingCall.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { GroupCallNotice } from './GroupCallNotice.js';
import { GroupCallPanel } from './GroupCallPanel.js';
import { NewDirectDialog } from './NewDirectDialog.js';
import { NewGroupDialog } from './NewGroupDialog.js';
import { SettingsDialog } from './SettingsDialog.js';
import { Sidebar } from './Sidebar.js';
import { ThreadView } from './ThreadView.js';

/** Which modal is open, if any. */
export type MainDialog = 'direct' | 'group' | 'rooms' | 'history' | 'settings' | null;

/** Signed-in layout: sidebar, thread, connection banner and the "new conversation" dialogs. */
export function MainScreen() {
  const [dialog, setDialog] = useState<MainDialog>(null);
  const close = () => setDialog(null);
  return (
    <div className="app">
      <ConnectionBanner />
      <div className="layout">
        <Sidebar onOpenDialog={setDialog} />
        <div className="content">
          <CallNotice />
          <CallPanel />
          <GroupCallNotice />
          <GroupCallPanel />
          <ThreadView />
        </div>
      </div>
      <IncomingCall />
      {dialog === 'direct' ? <NewDirectDialog onClose={close} /> : null}
      {dialog === 'group' ? <NewGroupDialog onClose={close} /> : null}
      {dialog === 'rooms' ? <BrowseRoomsDialog onClose={close} /> : null}
      {dialog === 'history' ? <CallHistoryDialog onClose={close} /> : null}
      {dialog === 'settings' ? <SettingsDialog onClose={close} /> : null}
    </div>
  );
}
