// Privacy erasure for the receipt ledger: a redacted customer's raw payloads are dropped (the
// ids stay so a repeated webhook is still recognised), and a redacted shop's receipts deleted.
//
// The erasure wins over receipts racing it: a webhook resolved its shop before the shop was erased
// (or from the number's owner remembered for a few seconds) and records its receipt after the
// erasure deleted the shop's. Each erasure is recorded before it deletes, and every receipt is
// followed by `settle`, which erases again when an erasure covering it was recorded since the shop
// was known. Either the receipt landed before the record, and so before the delete, or the check
// sees the record.
import type { subscriberV1 } from '@sms-inbox/contracts';
import type { ErasureLog } from '@sms-inbox/mongo';
import type { Receipt, ReceiptRepository } from '../repositories/receipt.repository.js';

export class EraseReceipts {
  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly erasures: ErasureLog,
  ) {}

  async customer(event: subscriberV1.SubscriberRedacted): Promise<void> {
    if (!event.partyHash) return;
    await this.erasures.record(event.shop, event.partyHash, new Date());
    await this.receipts.redactParty(event.shop, event.partyHash);
  }

  async shop(event: subscriberV1.ShopRedacted): Promise<void> {
    await this.erasures.record(event.shop, null, new Date());
    await this.receipts.deleteShop(event.shop);
  }

  /**
   * After recording a receipt of a shop known since `since`: erases again if an erasure of the
   * shop, or of the customer the receipt names, was recorded since. True when it did.
   */
  async settle(receipt: Pick<Receipt, 'shop' | 'party'>, since: Date): Promise<boolean> {
    if (!receipt.shop) return false;
    const erasure = await this.erasures.covering(receipt.shop, receipt.party, since);
    if (!erasure) return false;
    if (erasure === 'shop') await this.receipts.deleteShop(receipt.shop);
    else await this.receipts.redactParty(receipt.shop, receipt.party!);
    return true;
  }
}
