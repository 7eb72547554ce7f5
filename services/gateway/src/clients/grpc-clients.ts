// The gateway's clients of the services it fronts.
import { conversationV1, subscriberV1 } from '@sms-inbox/contracts';
import { createClient } from '@sms-inbox/grpc';

export function createClients(addresses: { subscriber: string; conversation: string }) {
  return {
    subscribers: createClient(subscriberV1.SubscriberServiceClient, addresses.subscriber),
    conversations: createClient(conversationV1.ConversationServiceClient, addresses.conversation),
  };
}
