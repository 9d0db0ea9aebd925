import { expect, test, type Locator, type Page } from '@playwright/test';
import { finishCallTest, type GuestParticipant, openConversation, openGuest, openParticipant, type Participant } from '../helpers/callPages.js';
import { tonesHeard } from '../helpers/groupAudioProbe.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { TestClient } from '../helpers/wsClient.js';

// User flow: a member shares a chat room's guest link; someone without an account opens it in
// a browser, gives a name and joins the room's voice call; both hear each other through the SFU.

const HOST_HZ = 440;
const GUEST_HZ = 1000;
const ALL_HZ = [HOST_HZ, GUEST_HZ];
// Steady test tones are exactly what noise suppression removes: switch it off, as a user can.
const settings = { noiseSuppression: false, autoGainControl: false };
const UNAVAILABLE = 'This room does not exist or does not allow guests.';
const WAITING = 'No call in progress yet — waiting for the host';

let srv: TestServer | undefined;
const pages: (Participant | GuestParticipant)[] = [];

// eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
test.afterEach(async ({}, testInfo) => {
  await finishCallTest(testInfo, srv, pages);
  srv = undefined;
});

const panelOf = (page: Page): Locator => page.getByRole('region', { name: 'Voice call' });
const participantsOf = (page: Page): Locator => panelOf(page).getByRole('list', { name: 'Participants' }).getByRole('listitem');
const rowOf = (page: Page, name: string): Locator => participantsOf(page).filter({ hasText: name });

async function expectHears(p: Participant | GuestParticipant, expected: number[]): Promise<void> {
  await expect
    .poll(() => tonesHeard(p.page, ALL_HZ), { message: `${p.name} hears ${expected.join(' + ') || 'nothing'}`, timeout: 20_000 })
    .toEqual(expected);
}

/** The host signed in, with a room made through the API and open on the host's page. */
async function hostWithRoom(title: string, guestAccess: boolean): Promise<{ host: Participant; roomId: number }> {
  srv = await startTestServer({ sfu: true });
  const host = await openParticipant(srv, 'hana', 'Hana', HOST_HZ, { settings });
  pages.push(host);
  const api = await TestClient.connect(srv.wsUrl, host.session.token);
  const { conversation } = await api.request('conversations.createRoom', { title, guestAccess });
  api.close();
  await openConversation(host.page, title);
  return { host, roomId: conversation.id };
}

async function enterName(guest: GuestParticipant): Promise<void> {
  await guest.page.getByRole('textbox', { name: 'Your name' }).fill(guest.name);
  await guest.page.getByRole('button', { name: 'Join call' }).click();
}

test('a guest opens a room\'s link, gives a name and joins its voice call: host and guest hear each other', async () => {
  test.setTimeout(180_000);
  const { host, roomId } = await hostWithRoom('Support desk', true);
  const link = `${srv!.url}/#/guest/${roomId}`;

  // Members see the room's guest link as text, and can copy it.
  const thread = host.page.getByRole('main');
  await expect(thread.getByText(link, { exact: true })).toBeVisible();
  await host.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv!.url });
  await thread.getByRole('button', { name: 'Copy guest link' }).click();
  await expect(thread.getByText('Link copied')).toBeVisible();
  expect(await host.page.evaluate(() => navigator.clipboard.readText())).toBe(link);

  await thread.getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(host.page).getByRole('status')).toHaveText('Connected');

  const guest = await openGuest(link, 'Vera Visitor', GUEST_HZ, { settings });
  pages.push(guest);
  await expect(guest.page.getByRole('heading', { name: 'Voice call in Support desk' })).toBeVisible();
  // The guest page is only the call: no conversations, no composer, no member controls.
  await expect(guest.page.getByRole('navigation')).toHaveCount(0);
  await expect(guest.page.getByRole('button', { name: 'New direct message' })).toHaveCount(0);
  await enterName(guest);
  await expect(panelOf(guest.page).getByRole('status')).toHaveText('Connected');
  await expect(guest.page.getByRole('textbox')).toHaveCount(0);

  // The host sees the guest, marked as one; the guest sees the host.
  await expect(rowOf(host.page, 'Vera Visitor')).toContainText('Vera Visitor (guest)');
  await expect(rowOf(guest.page, 'Hana')).toContainText('(host)');
  await expect(rowOf(guest.page, 'Vera Visitor')).toContainText('Vera Visitor (you) (guest)');
  // A guest gets no host controls.
  await expect(panelOf(guest.page).getByRole('button', { name: 'Mute all' })).toHaveCount(0);

  await expectHears(host, [GUEST_HZ]);
  await expectHears(guest, [HOST_HZ]);

  // The guest token is kept in memory only.
  expect(await guest.page.evaluate(() => localStorage.getItem('earshot:sessionToken'))).toBeNull();

  // Leave, then join again.
  await panelOf(guest.page).getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(rowOf(host.page, 'Vera Visitor')).toContainText('Muted');
  await expectHears(host, []);
  await panelOf(guest.page).getByRole('button', { name: 'Leave call' }).click();
  await expect(guest.page.getByText('You left the call')).toBeVisible();
  await expect(panelOf(guest.page)).toBeHidden();
  await expect(participantsOf(host.page)).toHaveCount(1);
  await guest.page.getByRole('button', { name: 'Join again' }).click();
  await expect(panelOf(guest.page).getByRole('status')).toHaveText('Connected');
  await expect(participantsOf(host.page)).toHaveCount(2);
  await expectHears(host, [GUEST_HZ]);
  await expectHears(guest, [HOST_HZ]);
});

test('a guest who comes before the call waits for the host, and is in the call as soon as it starts', async () => {
  test.setTimeout(120_000);
  const { host, roomId } = await hostWithRoom('Office hours', true);
  const guest = await openGuest(`${srv!.url}/#/guest/${roomId}`, 'Walt', GUEST_HZ, { settings });
  pages.push(guest);
  await enterName(guest);
  await expect(guest.page.getByRole('status').filter({ hasText: WAITING })).toHaveText(WAITING);

  await host.page.getByRole('main').getByRole('button', { name: 'Start voice call' }).click();
  await expect(panelOf(guest.page).getByRole('status')).toHaveText('Connected');
  await expect(rowOf(host.page, 'Walt')).toContainText('Walt (guest)');
  await expectHears(host, [GUEST_HZ]);
  await expectHears(guest, [HOST_HZ]);
});

test('the guest link of a room without guest access says so, offers no Join, and leaves a signed-in member signed in', async () => {
  const { host: member, roomId } = await hostWithRoom('Members only', false);
  // Members-only rooms show no guest link.
  await expect(member.page.getByRole('button', { name: 'Copy guest link' })).toHaveCount(0);

  // Opened in a browser where a member is signed in (the same tab).
  for (const id of [roomId, 999_999]) {
    await member.page.goto(`${srv!.url}/#/guest/${id}`);
    await expect(member.page.getByRole('alert')).toHaveText(UNAVAILABLE);
    await expect(member.page.getByRole('button', { name: 'Join call' })).toHaveCount(0);
    await expect(member.page.getByRole('textbox', { name: 'Your name' })).toHaveCount(0);
    await expect(member.page.getByRole('navigation')).toHaveCount(0);
  }
  expect(await member.page.evaluate(() => localStorage.getItem('earshot:sessionToken'))).toBe(member.session.token);

  // Back in the app, still signed in.
  await member.page.goto(`${srv!.url}/#/`);
  await expect(member.page.getByRole('button', { name: 'New direct message' })).toBeVisible();
});
