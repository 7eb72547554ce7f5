// What the gateway's route handlers share: the services they call (gRPC with the configured
// deadline) and how a path id is read.
import type { Client } from '@grpc/grpc-js';
import type { conversationV1, subscriberV1 } from '@sms-inbox/contracts';
import { call } from '@sms-inbox/grpc';
import type { Request } from '@sms-inbox/http';
import { notFound } from '@sms-inbox/platform';
import type { TwilioMedia } from '../../adapters/twilio-media.js';
import { presentConversation } from '../presenters.js';

export interface RouteDeps {
  subscribers: subscriberV1.SubscriberServiceClient;
  conversations: conversationV1.ConversationServiceClient;
  media: TwilioMedia;
  timeoutMs: number;
}

export interface Services extends RouteDeps {
  rpc<Req, Res>(client: Client, method: Parameters<typeof call<Req, Res>>[1], request: Req): Promise<Res>;
  /** A conversation in the API's shape, with its subscriber from the subscriber service. */
  withSubscriber(
    shop: string,
    conversation: conversationV1.Conversation,
  ): Promise<ReturnType<typeof presentConversation>>;
}

export function services(deps: RouteDeps): Services {
  const rpc: Services['rpc'] = (client, method, request) => call(client, method, request, deps.timeoutMs);
  return {
    ...deps,
    rpc,
    async withSubscriber(shop, conversation) {
      const { subscriber } = await rpc(deps.subscribers, deps.subscribers.getSubscriber, {
        shop,
        id: conversation.subscriberId,
        consentOnly: false,
      });
      return presentConversation(conversation, subscriber);
    },
  };
}

/** Path ids are opaque; an id that cannot exist is simply not found. */
export function idParam(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound('not_found', 'no such resource');
  return id;
}
