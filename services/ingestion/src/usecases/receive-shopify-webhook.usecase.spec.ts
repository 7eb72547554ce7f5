import type { Bus } from '@sms-inbox/bus';
import type { ShopDirectory } from '../domain/ports.js';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import { ReceiveShopifyWebhook, type ShopifyDelivery } from './receive-shopify-webhook.usecase.js';

function setup(options: { published?: boolean; installed?: boolean } = {}) {
  const calls: string[] = [];
  const receipts = {
    find: async (id: string) => (options.published ? { _id: id, publishedAt: new Date() } : null),
    recordPublished: async (receipt: { _id: string; payload: { body: unknown } }) => {
      calls.push(`record ${receipt._id} ${JSON.stringify(receipt.payload.body)}`);
    },
  } as unknown as ReceiptRepository;
  const shops: ShopDirectory = { shopFor: async () => null, exists: async () => options.installed ?? true };
  const bus = {
    publish: async (_event: unknown, _message: unknown, { msgId }: { msgId: string }) => {
      calls.push(`publish ${msgId}`);
      return { duplicate: false, seq: 1 };
    },
  } as unknown as Bus;
  const erase = {
    settle: async (receipt: { shop: string | null }) => {
      calls.push(`settle ${receipt.shop}`);
      return false;
    },
  };
  return { calls, receive: new ReceiveShopifyWebhook(receipts, shops, bus, erase) };
}

const delivery = (fields: Partial<ShopifyDelivery> = {}): ShopifyDelivery => ({
  topic: 'customers/update',
  shopDomain: 'a.myshopify.com',
  webhookId: 'w1',
  eventId: 'e1',
  body: { id: 7, phone: '+14155550101', first_name: 'Ada' },
  ...fields,
});

it('publishes a customer webhook by its event id before recording its receipt', async () => {
  const { calls, receive } = setup();
  expect(await receive.execute(delivery())).toEqual({ handled: true, duplicate: false });
  expect(calls[0]).toBe('publish shopify:e1');
  expect(calls[1]).toMatch(/^record shopify:e1 /);
  expect(calls[2]).toBe('settle a.myshopify.com');
});

it('keeps a privacy request as proof it arrived, without the personal data it names, even from a shop that left', async () => {
  const { calls, receive } = setup({ installed: false });
  await receive.execute(
    delivery({ topic: 'customers/redact', body: { customer: { id: 7, phone: '+14155550101' } } }),
  );
  expect(calls).toEqual(['publish shopify:e1', 'record shopify:e1 {}', 'settle a.myshopify.com']);
});

it('acknowledges topics it does not handle, and publishes nothing for a repeat', async () => {
  const ignored = setup();
  expect(await ignored.receive.execute(delivery({ topic: 'orders/create' }))).toEqual({
    handled: false,
    duplicate: false,
  });
  const repeat = setup({ published: true });
  expect(await repeat.receive.execute(delivery())).toEqual({ handled: true, duplicate: true });
  expect([...ignored.calls, ...repeat.calls]).toEqual([]);
});

it('refuses a foreign shop domain, a delivery without id, and customer data for a shop without the app', async () => {
  const { calls, receive } = setup({ installed: false });
  await expect(receive.execute(delivery({ shopDomain: 'evil.example.com' }))).rejects.toMatchObject({
    code: 'invalid_shop_domain',
  });
  await expect(receive.execute(delivery({ eventId: '', webhookId: '' }))).rejects.toMatchObject({
    code: 'missing_webhook_id',
  });
  await expect(receive.execute(delivery())).rejects.toMatchObject({ code: 'unknown_shop' });
  expect(calls).toEqual([]);
});
