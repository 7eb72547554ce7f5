// SubscriberReads over a real HTTP/2 connection, against a subscriber service that records what
// it is asked.
import { subscriberV1 } from '@sms-inbox/contracts';
import { createLogger, invalid } from '@sms-inbox/platform';
import {
  createClient,
  type RunningGrpcServer,
  SubscriberReads,
  startGrpcServer,
  unary,
} from '../src/index.js';

const logger = createLogger('grpc-test', 'silent');
const asked: subscriberV1.BatchGetSubscribersRequest[] = [];
let server: RunningGrpcServer;
let client: subscriberV1.SubscriberServiceClient;

const subscriber = (shop: string, id: string): subscriberV1.Subscriber => ({
  id,
  shop,
  phone: `+1415555${id.padStart(4, '0').slice(-4)}`,
  source: 'keyword',
  status: 'active',
  timezone: '',
  timezoneSource: '',
  phoneZones: [],
  quietHours: undefined,
});

beforeAll(async () => {
  const refused = unary(async () => {
    throw new Error('not served by this test');
  }, logger);
  const implementation: subscriberV1.SubscriberServiceServer = {
    getShop: refused,
    putShop: refused,
    updateShop: refused,
    findShopByPhoneNumber: refused,
    getSubscriber: refused,
    optOutSubscriber: refused,
    listConsentChanges: refused,
    listDataRequests: refused,
    listSendingNumbers: refused,
    batchGetSubscribers: unary(async (req: subscriberV1.BatchGetSubscribersRequest) => {
      asked.push(req);
      if (req.shop === 'broken.myshopify.com') throw invalid('invalid_shop', 'no such shop domain');
      // Ids starting with "s" are subscribers; version = the id's length.
      const found = req.ids.filter((id) => id.startsWith('s'));
      return {
        subscribers: found.map((id) => subscriber(req.shop, id)),
        versions: Object.fromEntries(found.map((id) => [id, id.length])),
      };
    }, logger),
  };
  server = await startGrpcServer({
    port: 0,
    host: '127.0.0.1',
    services: [
      {
        name: 'sms_inbox.subscriber.v1.SubscriberService',
        definition: subscriberV1.SubscriberServiceService,
        implementation,
      },
    ],
    logger,
  });
  client = createClient(subscriberV1.SubscriberServiceClient, `127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

beforeEach(() => {
  asked.length = 0;
});

it('answers concurrent reads with one call per shop, each read its own subscriber and version', async () => {
  const reads = new SubscriberReads(client, { consentOnly: true });
  const [a, b, unknown, c, again] = await Promise.all([
    reads.find('a.myshopify.com', 's1'),
    reads.find('a.myshopify.com', 's22'),
    reads.find('a.myshopify.com', 'x9'),
    reads.find('b.myshopify.com', 's1'),
    reads.find('a.myshopify.com', 's1'),
  ]);
  expect(asked).toEqual([
    { shop: 'a.myshopify.com', ids: ['s1', 's22', 'x9'], consentOnly: true },
    { shop: 'b.myshopify.com', ids: ['s1'], consentOnly: true },
  ]);
  expect([a?.subscriber.shop, a?.subscriber.id, a?.version]).toEqual(['a.myshopify.com', 's1', 2]);
  expect([b?.subscriber.id, b?.version]).toEqual(['s22', 3]);
  expect(unknown).toBeNull();
  expect(c?.subscriber.shop).toBe('b.myshopify.com');
  expect(again).toEqual(a);
});

it('asks for the whole subscriber unless told consent only', async () => {
  await new SubscriberReads(client, { consentOnly: false }).find('a.myshopify.com', 's1');
  expect(asked).toEqual([{ shop: 'a.myshopify.com', ids: ['s1'], consentOnly: false }]);
});

it("fails only the reads of a shop whose call fails, with the service's error", async () => {
  const reads = new SubscriberReads(client, { consentOnly: true });
  const [broken, fine] = await Promise.allSettled([
    reads.find('broken.myshopify.com', 's1'),
    reads.find('a.myshopify.com', 's1'),
  ]);
  expect(broken).toMatchObject({ status: 'rejected', reason: { kind: 'invalid', code: 'invalid_shop' } });
  expect(fine).toMatchObject({ status: 'fulfilled', value: { version: 2 } });
});

it('reads made while a call is out go together in the next call', async () => {
  const reads = new SubscriberReads(client, { consentOnly: true });
  const first = reads.find('a.myshopify.com', 's1');
  await Promise.resolve();
  const later = ['s2', 's3', 's4'].map((id) => reads.find('a.myshopify.com', id));
  await Promise.all([first, ...later]);
  expect(asked.map((r) => r.ids)).toEqual([['s1'], ['s2', 's3', 's4']]);
});
