import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import { EraseReceipts } from './erase.usecase.js';

function setup() {
  const calls: string[] = [];
  const receipts = {
    redactParty: async (shop: string, party: string) => {
      calls.push(`redact ${shop} ${party}`);
    },
    deleteShop: async (shop: string) => {
      calls.push(`delete ${shop}`);
    },
  } as unknown as ReceiptRepository;
  return { calls, erase: new EraseReceipts(receipts) };
}

it("drops a redacted customer's payloads by the hash that names them, and a redacted shop's receipts", async () => {
  const { calls, erase } = setup();
  await erase.customer({ shop: 'a.myshopify.com', subscriberId: 's1', partyHash: 'h1' } as never);
  await erase.shop({ shop: 'b.myshopify.com' } as never);
  expect(calls).toEqual(['redact a.myshopify.com h1', 'delete b.myshopify.com']);
});

it('redacts nothing for a customer without a party hash (never texted: no receipt names them)', async () => {
  const { calls, erase } = setup();
  await erase.customer({ shop: 'a.myshopify.com', subscriberId: 's1', partyHash: '' } as never);
  expect(calls).toEqual([]);
});
