import { useState } from 'react';
import { useAppStore, useDevices } from '../app/AppContext.js';
import { BrowseRoomsDialog } from './BrowseRoomsDialog.js';
import { CallHistoryDialog } from './CallHistoryDialog.js';
import { CallNotice } from './CallNotice.js';
import { CallPanel } from './CallPanel.js';
import { IncomingCall } from './IncomingCall.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { DeviceNotices } from './DeviceNotices.js';
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
  const devices = useDevices();
  const store = useAppStore();
  // A microphone picked in the group call panel is the saved choice from now on.
  const chooseMicrophone = (deviceId: string) => {
    const device = store.getState().audioDevices.find((d) => d.kind === 'audioinput' && d.deviceId === deviceId);
    void devices.choose('microphone', device ? { id: deviceId, label: device.label } : { id: deviceId, label: '' });
  };
  return (
    <div className="app">
      <ConnectionBanner />
      <div className="layout">
        <Sidebar onOpenDialog={setDialog} />
        <div className="content">
          <DeviceNotices />
          <CallNotice />
          <CallPanel />
          <GroupCallNotice />
          <GroupCallPanel onChooseMicrophone={chooseMicrophone} />
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
