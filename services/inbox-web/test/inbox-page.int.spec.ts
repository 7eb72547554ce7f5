// The merchant's Inbox page end to end, in headless Chromium against the whole stack: what a
// person sees after each step. A subscriber texts → the conversation appears live with the red
// dot → a reply with a discount code shows delivered; in quiet hours "Schedule Sending" is
// released when they end and "Send Reply Now" goes at once, marked as an override; an MMS shows
// its image; the opt-out button closes the composer; a dropped live stream resumes. The
// screenshots in docs/images are taken here, written there with UPDATE_SCREENSHOTS=1 (else to
// a temporary folder, so that a test run leaves the tree as it found it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildInboxWeb,
  chromiumPath,
  DashboardClient,
  eventually,
  localTime,
  phoneIn,
  repoRoot,
  ShopifyWebhookSender,
  type Stack,
  sessionToken,
  startStack,
  tempDir,
  zoneWithHour,
} from '@sms-inbox/devstack';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const SHOP = 'inbox-page.myshopify.com';
const NUMBER = '+14155550900';
// Daytime where the subscribers live: only the shop's own window (set later) makes quiet hours.
const ZONE = zoneWithHour(10, 17);
const phone = (n: number) => phoneIn(ZONE, 9000 + n);
const ANA = phone(1);
const BEN = phone(2);
const CARLA = phone(3);
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs/images') : tempDir('inbox-page-screenshots');

let stack: Stack;
let admin: DashboardClient;
let browser: Browser;
let page: Page;
let token: string;

/** Waits until the locator is visible (a person can see it), failing with what was awaited. */
async function sees(locator: Locator, timeout = 20_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** The page from its top, for docs/images. */
async function screenshot(name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

const texts = async (from: string, body: string, media?: Array<{ contentType: string; bytes: Buffer }>) => {
  const { webhookStatus } = await stack.twilio!.receive({ from, to: NUMBER, body, media });
  expect(webhookStatus).toBe(200);
};
const entry = (name: string) => page.getByTestId('conversation-entry').filter({ hasText: name });
const bubble = (text: string) => page.getByTestId('message').filter({ hasText: text });
const hhmm = (at: Date) => {
  const { hour, minute } = localTime(ZONE, at);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
};

beforeAll(async () => {
  buildInboxWeb();
  stack = await startStack({ dir: tempDir('e2e-inbox-page'), logLevel: 'warn', web: true });
  admin = await DashboardClient.forShop(stack, SHOP);
  const created = await admin.request('PUT', '/v1/shop', {
    phoneNumber: NUMBER,
    keywords: ['JOIN'],
    timezone: ZONE,
  });
  expect(created.status).toBe(200);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  token = await sessionToken({
    shop: SHOP,
    apiKey: stack.env.SHOPIFY_API_KEY!,
    secret: stack.env.SHOPIFY_API_SECRET!,
    sub: 'staff-1',
  });
  await page.goto(`${stack.webUrl}/#token=${token}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('opens signed in, with the token gone from the address and an empty inbox', async () => {
  await sees(page.getByRole('heading', { name: 'Inbox' }));
  await sees(page.getByText('No conversations here yet.'));
  expect(page.url()).not.toContain('token');
  expect(page.url()).not.toContain('#');
  await expect(page.getByTestId('red-dot').count()).resolves.toBe(0);
});

it('shows a new text live, with the red dot, without reloading', async () => {
  // Ana subscribed at checkout: her name and customer profile come from Shopify.
  const checkout = await new ShopifyWebhookSender(stack).send('customers/create', SHOP, {
    id: 7001,
    first_name: 'Ana',
    last_name: 'Silva',
    phone: ANA,
    sms_marketing_consent: {
      state: 'subscribed',
      opt_in_level: 'single_opt_in',
      consent_updated_at: new Date().toISOString(),
      consent_collected_from: 'SHOPIFY',
    },
  });
  expect(checkout.status).toBe(200);
  await texts(ANA, 'Do you ship to Canada?');
  const ana = await sees(entry('Do you ship to Canada?'));
  expect(await ana.textContent()).toContain('Unresolved');
  await expect((await sees(page.getByTestId('red-dot'))).textContent()).resolves.toBe('1');
  const filter = page.getByRole('combobox', { name: 'Filter by' });
  await expect(filter.locator('option[value=unresolved]').textContent()).resolves.toBe('Unresolved (1)');
});

it('opens the thread by keyboard and replies with a discount code, which shows delivered', async () => {
  await entry('Do you ship to Canada?').focus();
  await page.keyboard.press('Enter');
  await sees(bubble('Do you ship to Canada?'));
  expect(page.url()).toContain('conversation=');
  await sees(page.getByRole('heading', { name: 'Ana Silva' }));
  await sees(page.getByText('Checkout'));
  expect(await page.getByRole('link', { name: 'Customer profile' }).getAttribute('href')).toBe(
    'https://admin.shopify.com/store/inbox-page/customers/7001',
  );
  await page
    .getByRole('textbox', { name: 'Message' })
    .fill('Yes, we do! Here is 10% off your first order, and shipping to Canada is free all of this week.');
  await page.getByRole('textbox', { name: 'Discount code' }).fill('WELCOME10');
  const count = await page.getByTestId('segment-count').textContent();
  // The discount line (code and the store's link) is counted with the text: two GSM-7 segments.
  expect(count).toMatch(/GSM-7 · 2 segments/);
  await page.getByRole('textbox', { name: 'Discount code' }).fill('');
  expect(await page.getByTestId('segment-count').textContent()).toMatch(/GSM-7 · 1 segment$/);
  await page.getByRole('textbox', { name: 'Discount code' }).fill('WELCOME10');
  const send = page.getByRole('button', { name: 'Send Reply' });
  // A double click sends one reply (one Idempotency-Key, the button busy while it goes).
  await send.dblclick();
  const reply = bubble('Here is 10% off');
  await sees(reply);
  await sees(reply.getByText('Delivered'));
  expect(await reply.textContent()).toContain('Discount WELCOME10');
  // Answered: resolved, and the red dot goes out.
  await eventually(async () => ((await page.getByTestId('red-dot').count()) === 0 ? true : undefined));
  expect(stack.twilio!.messages.filter((m) => m.to === ANA && m.body.startsWith('Yes, we do!'))).toHaveLength(
    1,
  );
  expect(
    stack.twilio!.messages.find((m) => m.to === ANA && m.body.startsWith('Yes, we do!'))!.body,
  ).toContain(`https://${SHOP}/discount/WELCOME10`);
});

it('shows an MMS image through the API', async () => {
  // The customer's photo: a picture the browser draws.
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 120;
    canvas.height = 80;
    const g = canvas.getContext('2d')!;
    const fill = g.createLinearGradient(0, 0, 120, 80);
    fill.addColorStop(0, '#f6b26b');
    fill.addColorStop(1, '#c0504d');
    g.fillStyle = fill;
    g.fillRect(0, 0, 120, 80);
    g.font = '44px "Noto Color Emoji", sans-serif';
    g.fillText('☕', 36, 56);
    return canvas.toDataURL('image/png');
  });
  const photo = Buffer.from(dataUrl.split(',')[1]!, 'base64');
  await texts(ANA, 'This one arrived broken', [{ contentType: 'image/png', bytes: photo }]);
  const mms = await sees(bubble('This one arrived broken'));
  const image = await sees(mms.getByRole('img', { name: 'Attachment 1 from the subscriber' }));
  await eventually(async () =>
    (await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)) === 120
      ? true
      : undefined,
  );
  // Unresolved again: the red dot is back.
  await sees(page.getByTestId('red-dot'));
  await screenshot('inbox.png');
});

it('resolves and unresolves by hand, the red dot following', async () => {
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await sees(page.getByRole('button', { name: 'Unresolve' }));
  await eventually(async () => ((await page.getByTestId('red-dot').count()) === 0 ? true : undefined));
  expect(await entry('This one arrived broken').textContent()).toContain('Resolved');
  await page.getByRole('button', { name: 'Unresolve' }).click();
  await sees(page.getByRole('button', { name: 'Resolve', exact: true }));
  await expect((await sees(page.getByTestId('red-dot'))).textContent()).resolves.toBe('1');
});

// Quiet hours: the shop's window, on since an hour ago, ends at a minute boundary 35 to 95 s
// ahead (the tests in between take about 20 s); the last test of the file sees the scheduled
// reply go out then.
let endsAt: Date;

it('shows 💤 in quiet hours and offers "Schedule Sending", which holds the reply until they end', async () => {
  await texts(BEN, 'JOIN');
  await texts(BEN, 'Is my order on its way?');
  await sees(entry('Is my order on its way?'));
  endsAt = new Date(Math.ceil((Date.now() + 35_000) / 60_000) * 60_000);
  const res = await admin.request('PUT', '/v1/shop', {
    quietHours: { start: hhmm(new Date(Date.now() - 3_600_000)), end: hhmm(endsAt) },
  });
  expect(res.status).toBe(200);

  await entry('Is my order on its way?').click();
  await sees(bubble('Is my order on its way?'));
  expect(await (await sees(page.getByTestId('quiet-until'))).textContent()).toMatch(/💤 quiet until/);
  await sees(page.getByRole('img', { name: 'in quiet hours' }));
  expect(await page.getByRole('button', { name: 'Send Reply', exact: true }).count()).toBe(0);
  await page.getByRole('textbox', { name: 'Message' }).fill('It left our warehouse today.');
  await page.getByRole('button', { name: 'Schedule Sending' }).click();
  const scheduled = await sees(bubble('It left our warehouse today.'));
  await sees(scheduled.getByText('Scheduled'));
  await sees(scheduled.getByText(/^Sends /));
  await sees(page.getByText(/Scheduled: sends/));
  expect(stack.twilio!.messages.filter((m) => m.body === 'It left our warehouse today.')).toHaveLength(0);
});

it('cancels a scheduled reply with its button', async () => {
  await page.getByRole('textbox', { name: 'Message' }).fill('Never mind this one.');
  await page.getByRole('button', { name: 'Schedule Sending' }).click();
  const second = await sees(bubble('Never mind this one.'));
  await sees(second.getByText('Scheduled'));
  await second.getByRole('button', { name: 'Cancel this scheduled reply' }).click();
  await sees(second.getByText('Canceled'));
  expect(await second.getByRole('button', { name: 'Cancel this scheduled reply' }).count()).toBe(0);
});

it('sends "Send Reply Now" at once, marked as an override', async () => {
  await page.getByRole('textbox', { name: 'Message' }).fill('Tracking: 1Z999AA10123456784');
  await page.getByRole('button', { name: 'Send Reply Now' }).click();
  const now = await sees(bubble('Tracking: 1Z999AA10123456784'));
  await sees(now.getByText('Sent during quiet hours (override)'));
  await sees(now.getByText('Delivered'));
  expect(Date.now()).toBeLessThan(endsAt.getTime());
  await screenshot('thread.png');
});

it('resumes live updates after the connection drops, missing nothing sent meanwhile', async () => {
  const gateway = stack.services.get('gateway')!;
  await gateway.kill();
  await sees(page.getByText('Reconnecting to live updates…'));
  // Texted while the page has no stream: it must arrive when the stream resumes.
  await texts(CARLA, 'JOIN');
  await texts(CARLA, 'Are you open on Sunday?');
  await stack.startService('gateway');
  await sees(entry('Are you open on Sunday?'), 30_000);
  expect(await page.getByText('Reconnecting to live updates…').count()).toBe(0);
});

it('sends a reply once when its answer is lost and the merchant sends again, and says why it was not delivered', async () => {
  await entry('Are you open on Sunday?').click();
  await sees(bubble('Are you open on Sunday?'));
  // Carla's phone is off: the carrier will not deliver.
  stack.twilio!.finishNext('undelivered', 1, { to: CARLA });
  // The first answer is lost on its way back, after the gateway took the reply.
  let lost = false;
  await page.route('**/replies', async (route) => {
    if (route.request().method() !== 'POST' || lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByRole('textbox', { name: 'Message' }).fill('Yes, from 10 to 4.');
  await page.getByRole('button', { name: 'Send Reply Now' }).click();
  await sees(page.getByText('No answer from the server'));
  await page.getByRole('button', { name: 'Send Reply Now' }).click();
  const reply = await sees(bubble('Yes, from 10 to 4.'));
  await page.unroute('**/replies');
  await sees(reply.getByText('Undelivered'));
  await sees(reply.getByText('Not delivered: the phone is unreachable or switched off (error 30003)'));
  expect(lost).toBe(true);
  expect(stack.twilio!.messages.filter((m) => m.body === 'Yes, from 10 to 4.')).toHaveLength(1);
});

it('loads the next page of conversations as the list scrolls', async () => {
  // 30 more subscribers: more than one page (25).
  for (let i = 0; i < 30; i += 10)
    await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        await texts(phone(100 + i + k), 'JOIN');
        await texts(phone(100 + i + k), `Question ${i + k}`);
      }),
    );
  await eventually(async () =>
    (await admin.all('/v1/conversations?limit=100')).length === 33 ? true : undefined,
  );
  await page.goto(`${stack.webUrl}/`);
  await sees(entry('Question 29'));
  expect(await page.getByTestId('conversation-entry').count()).toBe(25);
  await page.getByTestId('conversation-entry').last().scrollIntoViewIfNeeded();
  await eventually(async () =>
    (await page.getByTestId('conversation-entry').count()) === 33 ? true : undefined,
  );
  await sees(entry('Do you ship to Canada?').or(entry('This one arrived broken')));
});

it('opts a subscriber out after a confirmation, and closes the composer', async () => {
  await entry('This one arrived broken').click();
  await sees(bubble('This one arrived broken'));
  await page.getByRole('button', { name: 'Opt-out' }).click();
  const dialog = await sees(page.getByRole('dialog'));
  await dialog.getByRole('button', { name: 'Opt out' }).click();
  await sees(page.getByText(/has opted out/));
  await sees(page.getByText('can no longer be messaged from the Inbox', { exact: false }));
  expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
  await page.getByRole('combobox', { name: 'Filter by' }).selectOption('opted_out');
  await sees(entry('This one arrived broken'));
  expect(await entry('This one arrived broken').textContent()).toContain('Opted out');
});

it('searches by name or phone and says so when nothing matches', async () => {
  await page.getByRole('combobox', { name: 'Filter by' }).selectOption('all');
  const search = page.getByPlaceholder('Search by phone or name');
  await search.fill(BEN.slice(-4));
  await sees(entry('Tracking: 1Z999AA10123456784'));
  await eventually(async () =>
    (await page.getByTestId('conversation-entry').count()) === 1 ? true : undefined,
  );
  await search.fill('silva');
  await sees(entry('Ana Silva'));
  await search.fill('nobody-by-this-name');
  await sees(page.getByText('No conversation matches “nobody-by-this-name”.'));
});

it('shows an API error in words, never a blank page', async () => {
  await page.goto(`${stack.webUrl}/?conversation=does-not-exist`);
  await sees(page.getByText('This conversation could not be loaded'));
  await sees(page.getByRole('heading', { name: 'Inbox' }));
});

it('fits a phone: the list alone, then the thread alone with a way back', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.webUrl}/`);
  const newest = await sees(page.getByTestId('conversation-entry'));
  const question = /Question \d+/.exec((await newest.textContent()) ?? '')?.[0];
  expect(question).toBeDefined();
  await newest.click();
  await sees(bubble(question!));
  expect(await page.getByTestId('conversation-list').isVisible()).toBe(false);
  await page.getByRole('button', { name: 'Back to the conversation list' }).click();
  await sees(page.getByTestId('conversation-list'));
  expect(await page.getByTestId('thread').count()).toBe(0);
});

it('shows a text that arrived before its live stream started: the list is read again then', async () => {
  // A second tab whose stream is held until the text is in the inbox: no event will announce it.
  const late = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await late.route('**/v1/events*', async (route) => {
    await held;
    await route.continue();
  });
  try {
    await late.goto(`${stack.webUrl}/#token=${token}`);
    await sees(late.getByTestId('conversation-entry'));
    const from = phone(200);
    await texts(from, 'JOIN');
    await texts(from, 'Sent before the stream started');
    await eventually(async () =>
      (await admin.all(`/v1/conversations?q=${encodeURIComponent(from)}`))[0]?.lastMessage?.text ===
      'Sent before the stream started'
        ? true
        : undefined,
    );
    release();
    await sees(late.getByTestId('conversation-entry').filter({ hasText: 'Sent before the stream started' }));
  } finally {
    release();
    await late.close();
  }
});

it('shows the scheduled reply go out, live, once quiet hours end', async () => {
  // Ben's thread, opened by its address while the reply still waits (most runs).
  const ben = (await admin.all(`/v1/conversations?q=${encodeURIComponent(BEN)}`))[0];
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${stack.webUrl}/?conversation=${ben.id}`);
  const scheduled = bubble('It left our warehouse today.');
  await sees(scheduled.getByText('Delivered'), Math.max(0, endsAt.getTime() - Date.now()) + 60_000);
  expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
  const replies = stack.twilio!.messages.filter((m) => m.to === BEN && !m.body.startsWith('inbox-page:'));
  expect(replies.map((m) => m.body)).toEqual([
    'Tracking: 1Z999AA10123456784',
    'It left our warehouse today.',
  ]);
  await sees(bubble('Never mind this one.').getByText('Canceled'));
}, 180_000);
