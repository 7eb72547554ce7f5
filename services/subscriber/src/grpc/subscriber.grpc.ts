// gRPC adapter of the subscriber service: thin mapping between contracts and repositories.
import { randomUUID } from 'node:crypto';
import { subscriberV1 } from '@sms-inbox/contracts';
import { type GrpcServiceBinding, unary } from '@sms-inbox/grpc';
import { invalid, type Logger, notFound } from '@sms-inbox/platform';
import { defaultTexts, mergeShopSettings } from '../domain/shop-settings.js';
import type { ConsentAuditRepository } from '../repositories/consent-audit.repository.js';
import type { ShopRepository } from '../repositories/shop.repository.js';
import type { SubscriberRepository } from '../repositories/subscriber.repository.js';
import type { ChangeShopSettings } from '../usecases/change-shop-settings.usecase.js';
import type { Consent, ConsentCause } from '../usecases/consent.usecase.js';
import type { Privacy } from '../usecases/privacy.usecase.js';
import { toShopMessage } from '../views/shop-view.js';
import { toConsentMessage, toSubscriberMessage, toSubscriberMessages } from '../views/subscriber-view.js';

/** Empty texts take the defaults. */
const withDefaults = (
  texts: subscriberV1.ShopTexts | undefined,
  defaults: subscriberV1.ShopTexts,
): subscriberV1.ShopTexts => ({
  optInConfirmation: texts?.optInConfirmation || defaults.optInConfirmation,
  help: texts?.help || defaults.help,
  optOutConfirmation: texts?.optOutConfirmation || defaults.optOutConfirmation,
});

const requireShop = (shop: string) => {
  if (!shop) throw invalid('missing_shop', 'shop is required');
  return shop;
};

export function subscriberGrpc(deps: {
  shops: ShopRepository;
  changeShop: ChangeShopSettings;
  subscribers: SubscriberRepository;
  audit: ConsentAuditRepository;
  consent: Consent;
  privacy: Privacy;
  logger: Logger;
}): GrpcServiceBinding {
  const { shops, changeShop, subscribers, audit, consent, privacy, logger } = deps;
  const requireSubscriber = async (shop: string, id: string) => {
    const record = await subscribers.findById(requireShop(shop), id);
    if (!record) throw notFound('subscriber_not_found', 'no such subscriber');
    return record;
  };
  const implementation: subscriberV1.SubscriberServiceServer = {
    getShop: unary(async (req: subscriberV1.GetShopRequest) => {
      const shop = await shops.find(requireShop(req.shop));
      if (!shop) throw notFound('shop_not_found', 'this shop has no settings yet');
      return { shop: toShopMessage(shop) };
    }, logger),
    putShop: unary(async (req: subscriberV1.PutShopRequest) => {
      const input = req.shop;
      if (!input) throw invalid('missing_shop', 'shop is required');
      const saved = await changeShop.execute(requireShop(input.shop), () => ({
        phoneNumber: input.phoneNumber,
        keywords: input.keywords,
        timezone: input.timezone,
        quietHours: input.quietHours ?? null,
        texts: withDefaults(input.texts, defaultTexts(input.shop)),
      }));
      return { shop: toShopMessage(saved) };
    }, logger),
    updateShop: unary(async (req: subscriberV1.UpdateShopRequest) => {
      const shop = requireShop(req.shop);
      const saved = await changeShop.execute(shop, (current) =>
        mergeShopSettings(shop, current, {
          phoneNumber: req.phoneNumber,
          keywords: req.keywordsGiven ? req.keywords : undefined,
          timezone: req.timezone,
          quietHours: req.quietHoursGiven ? (req.quietHours ?? null) : undefined,
          texts: req.texts,
        }),
      );
      return { shop: toShopMessage(saved) };
    }, logger),
    findShopByPhoneNumber: unary(async (req: subscriberV1.FindShopByPhoneNumberRequest) => {
      const shop = await shops.findByPhoneNumber(req.phoneNumber);
      if (!shop) throw notFound('unknown_number', 'no shop sends from this number');
      return { shop: toShopMessage(shop) };
    }, logger),
    getSubscriber: unary(async (req: subscriberV1.GetSubscriberRequest) => {
      const record = await requireSubscriber(req.shop, req.id);
      // No shop read: consent and phone do not depend on its settings, timezone and quiet hours do.
      if (req.consentOnly) return { subscriber: toConsentMessage(record), version: record.version };
      return { subscriber: toSubscriberMessage(record, await shops.find(req.shop)), version: record.version };
    }, logger),
    batchGetSubscribers: unary(async (req: subscriberV1.BatchGetSubscribersRequest) => {
      if (req.ids.length > 500) throw invalid('too_many_ids', 'at most 500 ids');
      const [records, shop] = await Promise.all([
        subscribers.findByIds(requireShop(req.shop), req.ids),
        req.consentOnly ? null : shops.find(req.shop),
      ]);
      const versions = Object.fromEntries(records.map((r) => [r._id, r.version]));
      if (req.consentOnly) return { subscribers: records.map(toConsentMessage), versions };
      return { subscribers: toSubscriberMessages(records, shop), versions };
    }, logger),
    optOutSubscriber: unary(async (req: subscriberV1.OptOutSubscriberRequest) => {
      const record = await requireSubscriber(req.shop, req.id);
      const shop = await shops.find(req.shop);
      const cause = optOutCause(req);
      const changed = await consent.change(record, 'opted_out', cause);
      if (shop) await consent.settle(changed, shop, cause);
      return { subscriber: toSubscriberMessage(changed, shop) };
    }, logger),
    listConsentChanges: unary(async (req: subscriberV1.ListConsentChangesRequest) => {
      const record = await requireSubscriber(req.shop, req.id);
      const changes = await audit.history(record.shop, record._id);
      return {
        changes: changes.map((c) => ({
          at: c.at,
          from: c.from,
          to: c.to,
          source: c.source,
          detail: c.detail,
          cause: c._id,
        })),
      };
    }, logger),
    listSendingNumbers: unary(async (req: subscriberV1.ListSendingNumbersRequest) => {
      const limit = Math.min(req.limit > 0 ? req.limit : 500, 500);
      const page = await shops.listSendingNumbers(req.afterShop, limit);
      return {
        numbers: page.map((s) => ({ shop: s._id, phoneNumber: s.phoneNumber })),
        nextAfterShop: page.length === limit ? page[page.length - 1]!._id : '',
      };
    }, logger),
    listDataRequests: unary(async (req: subscriberV1.ListDataRequestsRequest) => {
      const requests = await privacy.listDataRequests(requireShop(req.shop));
      return {
        requests: requests.map((r) => ({
          id: r._id,
          subscriberId: r.subscriberId ?? '',
          customerId: r.customerId,
          shopifyRequestId: r.shopifyRequestId,
          requestedAt: r.requestedAt,
        })),
      };
    }, logger),
  };
  return {
    name: 'sms_inbox.subscriber.v1.SubscriberService',
    definition: subscriberV1.SubscriberServiceService,
    implementation,
  };
}

/** Who opts a subscriber out by RPC: the merchant (a new cause each time) or a carrier refusal. */
function optOutCause(req: subscriberV1.OptOutSubscriberRequest): ConsentCause {
  if (req.source === 'carrier') {
    if (!req.cause) throw invalid('cause_required', 'a carrier opt-out names the refused message');
    return { id: `carrier:${req.cause}`, source: 'carrier', at: new Date(), detail: `error:${req.detail}` };
  }
  if (req.source && req.source !== 'merchant')
    throw invalid('invalid_source', 'source is merchant or carrier');
  return { id: `merchant:${randomUUID()}`, source: 'merchant', at: new Date(), detail: `user:${req.actor}` };
}
