// Privacy erasure for the receipt ledger: a redacted customer's raw payloads are dropped (the
// ids stay so a repeated webhook is still recognised), and a redacted shop's receipts deleted.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ReceiptRepository } from '../repositories/receipt.repository.js';

export class EraseReceipts {
  constructor(private readonly receipts: ReceiptRepository) {}

  async customer(event: subscriberV1.SubscriberRedacted): Promise<void> {
    if (event.partyHash) await this.receipts.redactParty(event.shop, event.partyHash);
  }

  async shop(event: subscriberV1.ShopRedacted): Promise<void> {
    await this.receipts.deleteShop(event.shop);
  }
}
