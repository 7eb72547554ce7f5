// The subscriber service's subscribers, over its gRPC API (GetSubscriber).
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError, notFound } from '@sms-inbox/platform';
import type { CurrentSubscriber, SubscriberDirectory } from '../domain/ports.js';

export function grpcSubscriberDirectory(client: subscriberV1.SubscriberServiceClient): SubscriberDirectory {
  const find = async (
    shop: string,
    id: string,
    options: { consentOnly?: boolean } = {},
  ): Promise<CurrentSubscriber | null> => {
    try {
      const { subscriber, version } = await call(client, client.getSubscriber, {
        shop,
        id,
        consentOnly: options.consentOnly ?? false,
      });
      return subscriber ? { subscriber, version } : null;
    } catch (err) {
      if (isAppError(err) && err.kind === 'not_found') return null;
      throw err;
    }
  };
  return {
    find,
    async get(shop, id) {
      const found = await find(shop, id);
      if (!found) throw notFound('subscriber_not_found', 'no such subscriber');
      return found;
    },
  };
}
