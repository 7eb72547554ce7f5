// Every route of the gateway, grouped by resource; the router serves this list and the OpenAPI
// document describes it (served itself as one of them).
import { type AnyRoute, defineRoute } from '../api-route.js';
import { openApiDocument } from '../openapi.js';
import { conversationRoutes } from './conversations.routes.js';
import { messageRoutes } from './messages.routes.js';
import { type RouteDeps, services } from './route-deps.js';
import { shopRoutes } from './shop.routes.js';
import { subscriberRoutes } from './subscribers.routes.js';

export type { RouteDeps };

/** The API's routes, with `more` (the live stream) and the document describing all of them. */
export function gatewayRoutes(deps: RouteDeps, more: AnyRoute[] = []): AnyRoute[] {
  const s = services(deps);
  let document: Record<string, unknown> | undefined;
  const all: AnyRoute[] = [
    defineRoute({
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This document',
      auth: false,
      contentType: 'application/json',
      async handle() {
        document ??= openApiDocument(all);
        return document;
      },
    }),
    ...shopRoutes(s),
    ...conversationRoutes(s),
    ...subscriberRoutes(s),
    ...messageRoutes(s),
    ...more,
  ];
  return all;
}
