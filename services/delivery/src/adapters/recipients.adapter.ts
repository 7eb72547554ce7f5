// Recipients as the subscriber service knows them, over its gRPC API: the consent check right
// before a send, and the opt-out a carrier's 21610 causes. An erased subscriber is no recipient.
import type { subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import { isAppError } from '@sms-inbox/platform';
import type { Recipients } from '../domain/ports.js';

const notFoundAsNull = (err: unknown) => {
  if (isAppError(err) && err.kind === 'not_found') return null;
  throw err;
};

export function grpcRecipients(client: subscriberV1.SubscriberServiceClient): Recipients {
  return {
    async find(shop, id) {
      const found = await call(client, client.getSubscriber, { shop, id, consentOnly: true }).catch(
        notFoundAsNull,
      );
      const subscriber = found?.subscriber;
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
