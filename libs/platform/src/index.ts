export * from './config.js';
export * from './errors.js';
export * from './lifecycle.js';
export * from './logger.js';
export * from './outbound-status.js';
export * from './phone.js';
export * from './quiet-hours.js';
