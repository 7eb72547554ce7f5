export {
  type Bus,
  type BusOptions,
  type Codec,
  type ConsumerHandle,
  type ConsumerSpec,
  connectBus,
  DEAD_LETTER_STREAM,
  type Delivery,
  type EventType,
  type Handler,
  type StreamSpec,
  type Tail,
  UndecodableMessageError,
} from './bus.js';
export { isPermanent, PermanentError, RetryAfter, retryDelayOf } from './errors.js';
