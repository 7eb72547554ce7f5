// The one-machine stack behind `npm start`: data kept in .data/local between runs.
import { join } from 'node:path';
import {
  buildServices,
  DashboardClient,
  DEMO_ENV,
  repoRoot,
  sessionToken,
  startStack,
} from '@sms-inbox/devstack';

const DEMO_SHOP = process.env.DEMO_SHOP ?? 'demo.myshopify.com';
const DEMO_NUMBER = process.env.DEMO_PHONE_NUMBER ?? '+15555550100';
const dir = join(repoRoot, '.data/local');

// The services run as their images run them: compiled (nx rebuilds only what changed).
console.log('[start] compiling the services...');
buildServices();
console.log('[start] starting NATS, FerretDB, the six services and the inbox page...');
const stack = await startStack({
  dir,
  persistent: true,
  fixedPorts: true,
  compiled: true,
  web: true,
  env: process.env,
});

const dashboard = await DashboardClient.forShop(stack, DEMO_SHOP);
const existing = await dashboard.get('/v1/shop');
if (existing.status === 404) {
  const created = await dashboard.request('PUT', '/v1/shop', {
    phoneNumber: DEMO_NUMBER,
    keywords: ['JOIN'],
    timezone: 'America/New_York',
  });
  if (created.status !== 200) console.error('[start] could not create the demo shop:', created.body);
}
const shop = (await dashboard.get('/v1/shop')).body;
const token = await sessionToken({
  shop: DEMO_SHOP,
  apiKey: stack.env.SHOPIFY_API_KEY!,
  secret: stack.env.SHOPIFY_API_SECRET!,
  expiresIn: 24 * 3600,
});
const demo = (key: keyof typeof DEMO_ENV) => (stack.env[key] === DEMO_ENV[key] ? ' (demo value)' : '');

console.log(`
sms-inbox is running.

  inbox page (signed in as ${DEMO_SHOP}):
  ${stack.webUrl}/#token=${token}

  gateway (dashboard API)   ${stack.gatewayUrl}        e.g. ${stack.gatewayUrl}/v1/conversations
  ingestion (webhooks)      ${stack.ingestionUrl}      POST /webhooks/twilio/messages, /webhooks/shopify
  NATS                      ${stack.env.NATS_URL}
  MongoDB wire (FerretDB)   ${stack.env.MONGODB_URI}
  Twilio API (simulator)    ${stack.env.TWILIO_API_BASE_URL}
  logs                      ${join(dir, 'logs')}

  demo shop                 ${DEMO_SHOP}, sending number ${shop.phoneNumber}, keyword ${shop.keywords?.join(', ')}
  SHOPIFY_API_KEY           ${stack.env.SHOPIFY_API_KEY}${demo('SHOPIFY_API_KEY')}
  SHOPIFY_API_SECRET        ${stack.env.SHOPIFY_API_SECRET}${demo('SHOPIFY_API_SECRET')}
  TWILIO_ACCOUNT_SID        ${stack.env.TWILIO_ACCOUNT_SID}${demo('TWILIO_ACCOUNT_SID')}
  TWILIO_AUTH_TOKEN         ${stack.env.TWILIO_AUTH_TOKEN}${demo('TWILIO_AUTH_TOKEN')}
  PUBLIC_BASE_URL           ${stack.env.PUBLIC_BASE_URL}

  session token (24 h):
  export TOKEN=${token}

Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping...');
  await stack.stop();
  console.log('[start] stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
