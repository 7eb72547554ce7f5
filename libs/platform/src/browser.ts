// The pure rules a browser bundle may take (the inbox page counts segments and renders the
// discount line exactly as the conversation service will): nothing here touches Node.
export * from './discount.js';
export * from './sms-encoding.js';
