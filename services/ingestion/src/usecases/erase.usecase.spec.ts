import type { Erasure, ErasureLog } from '@sms-inbox/mongo';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';
import { EraseReceipts } from './erase.usecase.js';

function setup(covering: Erasure | null = null) {
  const calls: string[] = [];
  const receipts = {
    redactParty: async (shop: string, party: string) => {
      calls.push(`redact ${shop} ${party}`);
    },
    deleteShop: async (shop: string) => {
      calls.push(`delete ${shop}`);
    },
  } as unknown as ReceiptRepository;
  const erasures = {
    record: async (shop: string, subject: string | null) => {
      calls.push(`record erasure of ${subject ?? shop}`);
    },
    covering: async (shop: string, subject: string | null, since: Date) => {
      calls.push(`covering ${shop} ${subject} since ${since.toISOString()}`);
      return covering;
    },
  } as unknown as ErasureLog;
  return { calls, erase: new EraseReceipts(receipts, erasures) };
}

it("records each erasure before it drops a redacted customer's payloads (by the hash that names them) or a shop's receipts", async () => {
  const { calls, erase } = setup();
  await erase.customer({ shop: 'a.myshopify.com', subscriberId: 's1', partyHash: 'h1' } as never);
  await erase.shop({ shop: 'b.myshopify.com' } as never);
  expect(calls).toEqual([
    'record erasure of h1',
    'redact a.myshopify.com h1',
    'record erasure of b.myshopify.com',
    'delete b.myshopify.com',
  ]);
});

it('redacts nothing for a customer without a party hash (never texted: no receipt names them)', async () => {
  const { calls, erase } = setup();
  await erase.customer({ shop: 'a.myshopify.com', subscriberId: 's1', partyHash: '' } as never);
  expect(calls).toEqual([]);
});

describe('a receipt recorded while an erasure ran', () => {
  const since = new Date('2026-11-30T10:00:00Z');
  const receipt = { shop: 'a.myshopify.com', party: 'h1' };

  it("is deleted again when the shop's erasure was recorded since the shop was known", async () => {
    const { calls, erase } = setup('shop');
    expect(await erase.settle(receipt, since)).toBe(true);
    expect(calls).toEqual([
      `covering a.myshopify.com h1 since ${since.toISOString()}`,
      'delete a.myshopify.com',
    ]);
  });

  it("is redacted again when the customer's erasure was", async () => {
    const { calls, erase } = setup('customer');
    expect(await erase.settle(receipt, since)).toBe(true);
    expect(calls.slice(1)).toEqual(['redact a.myshopify.com h1']);
  });

  it('stays when no erasure covers it, and a receipt of no shop is not looked up', async () => {
    const { calls, erase } = setup(null);
    expect(await erase.settle(receipt, since)).toBe(false);
    expect(await erase.settle({ shop: null, party: null }, since)).toBe(false);
    expect(calls).toHaveLength(1);
  });
});
