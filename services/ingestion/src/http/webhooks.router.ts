// Public webhook endpoints (API.md "Webhooks"): thin, verification first, then the use case.
import { express, route } from '@sms-inbox/http';
import type { ReceiveInboundSms } from '../usecases/receive-inbound-sms.usecase.js';
import { verifyTwilioSignature } from './twilio-signature.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function webhooksRouter(deps: {
  authToken: string;
  publicBaseUrl: string;
  receiveInboundSms: ReceiveInboundSms;
}) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });

  router.post(
    '/webhooks/twilio/messages',
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
      await deps.receiveInboundSms.execute(params);
      res.status(200).type('text/xml').send(EMPTY_TWIML);
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
