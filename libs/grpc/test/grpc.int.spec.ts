// gRPC helpers over a real HTTP/2 connection on a free port.
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { conversationV1 } from '@sms-inbox/contracts';
import { conflict, createLogger, invalid, notFound } from '@sms-inbox/platform';
import { service as healthService } from 'grpc-health-check';
import { register } from 'prom-client';
import { call, createClient, type RunningGrpcServer, startGrpcServer, unary } from '../src/index.js';

const logger = createLogger('grpc-test', 'silent');
let server: RunningGrpcServer;
let client: conversationV1.ConversationServiceClient;
/** The implementation the shared server serves, for servers of single tests to start from. */
let implementationOf: conversationV1.ConversationServiceServer;

const conversationService = (implementation: conversationV1.ConversationServiceServer) => ({
  name: 'sms_inbox.conversation.v1.ConversationService',
  definition: conversationV1.ConversationServiceService,
  implementation,
});

beforeAll(async () => {
  const implementation: conversationV1.ConversationServiceServer = {
    getInboxSummary: unary(async (req: conversationV1.GetInboxSummaryRequest) => {
      if (req.shop === 'missing.myshopify.com') throw notFound('shop_not_found', 'no such shop');
      if (req.shop === 'taken.myshopify.com')
        throw conflict('phone_number_taken', 'taken', { details: { field: 'phoneNumber' } });
      if (req.shop === 'slow.myshopify.com') await new Promise((r) => setTimeout(r, 500));
      if (req.shop === 'broken.myshopify.com') throw new Error('database exploded');
      if (req.shop === 'bad-cursor.myshopify.com') throw invalid('invalid_cursor', 'bad cursor');
      return { unresolved: req.shop.length };
    }, logger),
    listConversations: unary(async () => ({ conversations: [] }), logger),
    getConversation: unary(async () => ({ conversation: undefined }), logger),
    listMessages: unary(async () => ({ messages: [] }), logger),
    setStatus: unary(async () => ({ conversation: undefined }), logger),
    listStatusChanges: unary(async () => ({ changes: [] }), logger),
    createReply: unary(async () => ({ message: undefined, encoding: 'GSM-7', segments: 1 }), logger),
    getMessage: unary(async () => ({ message: undefined }), logger),
    cancelMessage: unary(async () => ({ message: undefined }), logger),
    applyShopSettings: unary(async () => ({}), logger),
  };
  server = await startGrpcServer({
    port: 0,
    host: '127.0.0.1',
    services: [conversationService(implementation)],
    logger,
  });
  implementationOf = implementation;
  client = createClient(conversationV1.ConversationServiceClient, `127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

it('answers a unary call', async () => {
  await expect(call(client, client.getInboxSummary, { shop: 'abc' })).resolves.toEqual({ unresolved: 3 });
});

it('carries an application error across as the same code and kind', async () => {
  await expect(call(client, client.getInboxSummary, { shop: 'missing.myshopify.com' })).rejects.toMatchObject(
    {
      kind: 'not_found',
      code: 'shop_not_found',
    },
  );
  await expect(call(client, client.getInboxSummary, { shop: 'taken.myshopify.com' })).rejects.toMatchObject({
    kind: 'conflict',
    code: 'phone_number_taken',
    details: { field: 'phoneNumber' },
  });
  // INVALID_ARGUMENT carries several kinds; the kind itself comes across.
  await expect(
    call(client, client.getInboxSummary, { shop: 'bad-cursor.myshopify.com' }),
  ).rejects.toMatchObject({
    kind: 'invalid',
    code: 'invalid_cursor',
  });
});

it('hides unexpected failures behind INTERNAL', async () => {
  const raw = await new Promise<ServiceError>((resolve) =>
    client.getInboxSummary({ shop: 'broken.myshopify.com' }, (err) => resolve(err!)),
  );
  expect(raw.code).toBe(status.INTERNAL);
  expect(raw.details).not.toContain('exploded');
});

it('gives up at the deadline with a timeout error', async () => {
  await expect(
    call(client, client.getInboxSummary, { shop: 'slow.myshopify.com' }, 100),
  ).rejects.toMatchObject({
    kind: 'timeout',
    code: 'upstream_timeout',
  });
});

it('reports an unreachable server as unavailable', async () => {
  const dead = createClient(conversationV1.ConversationServiceClient, '127.0.0.1:1');
  await expect(call(dead, dead.getInboxSummary, { shop: 'x' }, 2_000)).rejects.toMatchObject({
    kind: expect.stringMatching(/unavailable|timeout/),
  });
  dead.close();
});

it('answers the standard health check for the server and each service', async () => {
  const HealthClient = makeGenericClientConstructor(healthService as never, 'grpc.health.v1.Health');
  const health = new HealthClient(
    `127.0.0.1:${server.port}`,
    credentials.createInsecure(),
  ) as unknown as Client & {
    check(
      req: { service: string },
      md: Metadata,
      cb: (err: ServiceError | null, res?: { status: string }) => void,
    ): void;
  };
  const check = (service: string) =>
    new Promise<unknown>((resolve, reject) =>
      health.check({ service }, new Metadata(), (err, res) => (err ? reject(err) : resolve(res?.status))),
    );
  await expect(check('')).resolves.toBe('SERVING');
  await expect(check('sms_inbox.conversation.v1.ConversationService')).resolves.toBe('SERVING');
  await expect(check('no.such.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
  health.close();
});

it('measures each method on both sides, by status code', async () => {
  await call(client, client.getInboxSummary, { shop: 'metrics.myshopify.com' });
  await call(client, client.getInboxSummary, { shop: 'missing.myshopify.com' }).catch(() => undefined);
  const metrics = await register.metrics();
  const method = 'sms_inbox.conversation.v1.ConversationService/GetInboxSummary';
  for (const side of ['server', 'client']) {
    expect(metrics).toMatch(
      new RegExp(`sms_inbox_grpc_${side}_duration_seconds_count\\{method="${method}",code="OK"\\} [1-9]`),
    );
    expect(metrics).toMatch(
      new RegExp(
        `sms_inbox_grpc_${side}_duration_seconds_count\\{method="${method}",code="NOT_FOUND"\\} [1-9]`,
      ),
    );
  }
});

it('runs at most maxConcurrentCalls at once, the others in order, and drops one whose caller gave up while it waited', async () => {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  let running = 0;
  let peak = 0;
  const small = await startGrpcServer({
    port: 0,
    host: '127.0.0.1',
    services: [
      conversationService({
        ...implementationOf,
        getInboxSummary: unary(async (req: conversationV1.GetInboxSummaryRequest) => {
          started.push(req.shop);
          running += 1;
          peak = Math.max(peak, running);
          await new Promise<void>((resolve) => finish.set(req.shop, resolve));
          running -= 1;
          return { unresolved: 1 };
        }, logger),
      }),
    ],
    logger,
    maxConcurrentCalls: 2,
  });
  const c = createClient(conversationV1.ConversationServiceClient, `127.0.0.1:${small.port}`);
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(done()).toBe(true);
  };
  try {
    const summary = (shop: string, timeoutMs?: number) => call(c, c.getInboxSummary, { shop }, timeoutMs);
    const a = summary('a');
    const b = summary('b');
    await until(() => started.length === 2);
    const gaveUp = summary('gave-up', 150);
    const d = summary('d');
    await expect(gaveUp).rejects.toMatchObject({ kind: 'timeout' });
    expect(started).toEqual(['a', 'b']);
    finish.get('a')!();
    await until(() => started.length === 3);
    // `gave-up` came before `d`, but its caller was gone by its turn: it never ran.
    expect(started).toEqual(['a', 'b', 'd']);
    finish.get('b')!();
    finish.get('d')!();
    await expect(Promise.all([a, b, d])).resolves.toEqual([
      { unresolved: 1 },
      { unresolved: 1 },
      { unresolved: 1 },
    ]);
    expect(peak).toBe(2);
    const metrics = await register.metrics();
    expect(metrics).toMatch(/sms_inbox_grpc_server_wait_seconds_count\{outcome="dropped"\} [1-9]/);
  } finally {
    c.close();
    await small.stop();
  }
});
