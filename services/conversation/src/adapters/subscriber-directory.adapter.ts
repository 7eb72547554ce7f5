// The subscriber service's subscribers, over its gRPC API: concurrent reads go together, one
// BatchGetSubscribers per shop (the grpc lib's SubscriberReads).
import type { subscriberV1 } from '@sms-inbox/contracts';
import { SubscriberReads } from '@sms-inbox/grpc';
import { notFound } from '@sms-inbox/platform';
import type { SubscriberDirectory } from '../domain/ports.js';

export function grpcSubscriberDirectory(client: subscriberV1.SubscriberServiceClient): SubscriberDirectory {
  const full = new SubscriberReads(client, { consentOnly: false });
  const consent = new SubscriberReads(client, { consentOnly: true });
  const find: SubscriberDirectory['find'] = (shop, id, options = {}) =>
    (options.consentOnly ? consent : full).find(shop, id);
  return {
    find,
    async get(shop, id) {
      const found = await find(shop, id);
      if (!found) throw notFound('subscriber_not_found', 'no such subscriber');
      return found;
    },
  };
}
