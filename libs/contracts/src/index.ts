// The contracts of sms-inbox: generated gRPC services and event messages (from proto/),
// plus the map of bus subjects and streams.
export * from './events.js';
export * as common from './gen/sms_inbox/common/v1/common.js';
export * as conversationV1 from './gen/sms_inbox/conversation/v1/conversation.js';
export * as deliveryV1 from './gen/sms_inbox/delivery/v1/events.js';
export * as ingestionV1 from './gen/sms_inbox/ingestion/v1/events.js';
export * as schedulerV1 from './gen/sms_inbox/scheduler/v1/events.js';
export * as subscriberV1 from './gen/sms_inbox/subscriber/v1/subscriber.js';
