// Public webhook endpoints (docs/api.md "Webhooks"): thin, verification first, then the use case.
import { express, route } from '@sms-inbox/http';
import { AppError, invalid } from '@sms-inbox/platform';
import type { ReceiveDeliveryStatus } from '../usecases/receive-delivery-status.usecase.js';
import type { ReceiveInboundSms } from '../usecases/receive-inbound-sms.usecase.js';
import type { ReceiveShopifyWebhook } from '../usecases/receive-shopify-webhook.usecase.js';
import { verifyShopifyHmac } from './shopify-hmac.js';
import { verifyTwilioSignature } from './twilio-signature.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function webhooksRouter(deps: {
  authToken: string;
  publicBaseUrl: string;
  receiveInboundSms: ReceiveInboundSms;
  shopifySecret: string;
  receiveShopifyWebhook: ReceiveShopifyWebhook;
  receiveDeliveryStatus: ReceiveDeliveryStatus;
}) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });

  // Both Twilio webhooks: form-encoded, signed the same way, answered with empty TwiML.
  const twilioWebhook = (path: string, handle: (params: Record<string, string>) => Promise<unknown>) =>
    router.post(
      path,
      form,
      route(async (req, res) => {
        const params = flattenForm(req.body);
        verifyTwilioSignature({
          authToken: deps.authToken,
          publicBaseUrl: deps.publicBaseUrl,
          originalUrl: req.originalUrl,
          signature: req.header('x-twilio-signature'),
          params,
        });
        await handle(params);
        res.status(200).type('text/xml').send(EMPTY_TWIML);
      }),
    );
  twilioWebhook('/webhooks/twilio/messages', (params) => deps.receiveInboundSms.execute(params));
  twilioWebhook('/webhooks/twilio/status', (params) => deps.receiveDeliveryStatus.execute(params));

  router.post(
    '/webhooks/shopify',
    // The raw bytes are what Shopify signed; parse only after the HMAC holds.
    express.raw({ type: () => true, limit: '512kb' }),
    route(async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      verifyShopifyHmac(deps.shopifySecret, raw, req.header('x-shopify-hmac-sha256'));
      if (!req.is('application/json')) {
        throw new AppError(
          'unsupported_media_type',
          'unsupported_media_type',
          'Shopify webhooks are application/json',
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw invalid('malformed_body', 'the webhook body is not valid JSON');
      }
      await deps.receiveShopifyWebhook.execute({
        topic: req.header('x-shopify-topic'),
        shopDomain: req.header('x-shopify-shop-domain'),
        webhookId: req.header('x-shopify-webhook-id'),
        eventId: req.header('x-shopify-event-id'),
        body,
      });
      res.status(200).json({ ok: true });
    }),
  );

  return router;
}

/** Form fields as single strings (a repeated field keeps its last value). */
function flattenForm(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && typeof value.at(-1) === 'string') out[key] = value.at(-1) as string;
  }
  return out;
}
