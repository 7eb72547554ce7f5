// Recipients as the subscriber service knows them, over its gRPC API: the consent check right
// before a send (concurrent checks go together, one BatchGetSubscribers per shop), and the
// opt-out a carrier's 21610 causes. An erased subscriber is no recipient.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call, SubscriberReads } from '@sms-inbox/grpc';
import { isAppError } from '@sms-inbox/platform';
import type { Recipients } from '../domain/ports.js';

const notFoundAsNull = (err: unknown) => {
  if (isAppError(err) && err.kind === 'not_found') return null;
  throw err;
};

export function grpcRecipients(client: subscriberV1.SubscriberServiceClient): Recipients {
  const consent = new SubscriberReads(client, { consentOnly: true });
  return {
    async find(shop, id) {
      const subscriber = (await consent.find(shop, id))?.subscriber;
      return subscriber ? { phone: subscriber.phone, status: subscriber.status } : null;
    },
    async optOutByCarrier(shop, id, cause, detail) {
      await call(client, client.optOutSubscriber, {
        shop,
        id,
        actor: '',
        source: 'carrier',
        cause,
        detail,
      }).catch(notFoundAsNull);
    },
  };
}
