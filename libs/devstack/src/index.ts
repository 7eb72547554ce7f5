// Running sms-inbox on one machine: processes (NATS, FerretDB, services), the whole stack, and
// the request signing that Twilio, Shopify and the merchant's admin do.
export * from './clients.js';
export * from './observe.js';
export * from './otlp-receiver.js';
export * from './processes.js';
export * from './signing.js';
export * from './stack.js';
export * from './test-database.js';
export * from './twilio-simulator.js';
export * from './zoned-phones.js';
