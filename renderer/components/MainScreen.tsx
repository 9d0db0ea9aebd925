import { useState } from 'react';
import { BrowseRoomsDialog } from './BrowseRoomsDialog.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { NewDirectDialog } from './NewDirectDialog.js';
import { NewGroupDialog } from './NewGroupDialog.js';
import { Sidebar } from './Sidebar.js';
import { ThreadView } from './ThreadView.js';

/** Which modal is open, if any. */
export type MainDialog = 'direct' | 'group' | 'rooms' | null;

/** Signed-in layout: sidebar, thread, connection banner and the "new conversation" dialogs. */
export function MainScreen() {
  const [dialog, setDialog] = useState<MainDialog>(null);
  const close = () => setDialog(null);
  return (
    <div className="app">
      <ConnectionBanner />
      <div className="layout">
        <Sidebar onOpenDialog={setDialog} />
        <ThreadView />
      </div>
      {dialog === 'direct' ? <NewDirectDialog onClose={close} /> : null}
      {dialog === 'group' ? <NewGroupDialog onClose={close} /> : null}
      {dialog === 'rooms' ? <BrowseRoomsDialog onClose={close} /> : null}
    </div>
  );
}
