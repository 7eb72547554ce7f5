// The OpenAPI 3.1 document of the gateway, generated from the zod schemas that validate
// requests and type the responses. Every route the gateway serves is listed here (a test walks
// the express router and checks).
import { z } from 'zod';
import {
  consentChangeBody,
  conversationBody,
  dataRequestBody,
  errorBody,
  exportBody,
  listConversationsQuery,
  listMessagesQuery,
  liveEventBody,
  messageBody,
  page,
  putShopBody,
  replyBody,
  replyResponseBody,
  shopBody,
  statusChangeBody,
  subscriberBody,
  summaryBody,
} from './schemas.js';

type Method = 'get' | 'put' | 'post';

export interface RouteSpec {
  method: Method;
  /** Express form (`/v1/conversations/:id`). */
  path: string;
  summary: string;
  auth: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Non-JSON success responses. */
  contentType?: string;
  errors?: number[];
}

const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/v1/shop',
    summary: "The shop's settings",
    auth: true,
    response: shopBody,
    errors: [404],
  },
  {
    method: 'put',
    path: '/v1/shop',
    summary: "Create or change the shop's settings; fields not given keep their value",
    auth: true,
    body: putShopBody,
    response: shopBody,
    errors: [400, 409, 413],
  },
  {
    method: 'get',
    path: '/v1/inbox/summary',
    summary: 'The unresolved count (the red dot)',
    auth: true,
    response: summaryBody,
  },
  {
    method: 'get',
    path: '/v1/conversations',
    summary: 'Conversations, newest activity first; paging is stable while new messages arrive',
    auth: true,
    query: listConversationsQuery,
    response: page(conversationBody),
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/conversations/:id',
    summary: 'One conversation with its subscriber',
    auth: true,
    response: conversationBody,
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/conversations/:id/messages',
    summary: "A conversation's whole history, oldest first",
    auth: true,
    query: listMessagesQuery,
    response: page(messageBody),
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/conversations/:id/resolve',
    summary: 'Mark resolved',
    auth: true,
    response: conversationBody,
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/v1/conversations/:id/unresolve',
    summary: 'Mark unresolved',
    auth: true,
    response: conversationBody,
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/v1/conversations/:id/replies',
    summary:
      'Reply by SMS/MMS (header Idempotency-Key: the same key and body returns the first result and sends nothing new). ' +
      '202 with the message, its encoding and segments. 409 quiet_hours (with quietHours.endsAt and timezone) or subscriber_opted_out.',
    auth: true,
    body: replyBody,
    response: replyResponseBody,
    errors: [400, 404, 409, 413, 422],
  },
  {
    method: 'get',
    path: '/v1/conversations/:id/status-history',
    summary: "The conversation's status changes with their reason and actor, newest first",
    auth: true,
    response: items(statusChangeBody),
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/subscribers/:id',
    summary: 'A subscriber',
    auth: true,
    response: subscriberBody,
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/subscribers/:id/opt-out',
    summary: "The merchant's manual opt-out",
    auth: true,
    response: subscriberBody,
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/subscribers/:id/consent-history',
    summary: "The subscriber's consent changes, newest first",
    auth: true,
    response: items(consentChangeBody),
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/subscribers/:id/export',
    summary: 'Everything held about the subscriber, as one document (customers/data_request)',
    auth: true,
    response: exportBody,
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/messages/:id/cancel',
    summary:
      'Cancel a scheduled reply before its release (it is then never sent); again: the same answer. ' +
      '409 message_not_scheduled for a message that is not (or no longer) scheduled',
    auth: true,
    response: messageBody,
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/v1/messages/:id/media/:n',
    summary:
      'The n-th (from 0) image of an inbound MMS, streamed from Twilio with the account credentials; ' +
      "another shop's message or a missing index: 404",
    auth: true,
    contentType: 'image/*',
    errors: [400, 404, 503],
  },
  {
    method: 'get',
    path: '/v1/data-requests',
    summary: "The shop's customers/data_request webhooks",
    auth: true,
    response: items(dataRequestBody),
  },
  {
    method: 'get',
    path: '/v1/events',
    summary:
      'Server-Sent Events: `ready` with the unresolved count, then `conversation.changed` events (data: ' +
      'conversation and unresolved count) with ids to resume from (Last-Event-ID). Browsers may pass the token as ' +
      '`?access_token=`.',
    auth: true,
    contentType: 'text/event-stream',
    response: liveEventBody,
    errors: [400],
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    auth: false,
    contentType: 'application/json',
  },
];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

const errorResponse = (status: number) => ({
  description:
    {
      400: 'bad input',
      401: 'missing, invalid or expired session token',
      404: 'not found (or another shop’s)',
      409: 'conflict',
      413: 'body too large',
      429: 'rate limited (see Retry-After)',
      503: 'a backing service is unavailable',
      504: 'a backing service timed out',
    }[status] ?? 'error',
  content: { 'application/json': { schema: jsonSchema(errorBody, 'output') } },
});

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
      const f = field as z.ZodType;
      parameters.push({
        name,
        in: 'query',
        required: !f.safeParse(undefined).success,
        schema: jsonSchema(f, 'input'),
      });
    }
    const responses: Record<string, unknown> = {
      '200': {
        description: route.summary,
        content: {
          [route.contentType ?? 'application/json']: route.response
            ? { schema: jsonSchema(route.response, 'output') }
            : {},
        },
      },
    };
    for (const status of [...(route.errors ?? []), ...(route.auth ? [401, 429, 503, 504] : [])]) {
      responses[String(status)] = errorResponse(status);
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: route.summary,
      ...(route.auth ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sms-inbox gateway',
      version: '1',
      description:
        'The dashboard API of the sms-inbox two-way SMS inbox. Errors: {"error": {"code", "message", …}}.',
    },
    components: {
      securitySchemes: {
        sessionToken: { type: 'http', scheme: 'bearer', bearerFormat: 'Shopify session token (HS256 JWT)' },
      },
    },
    security: [{ sessionToken: [] }],
    paths,
  };
}
