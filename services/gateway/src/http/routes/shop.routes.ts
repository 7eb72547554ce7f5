// The shop's settings.
import { defineRoute } from '../api-route.js';
import { presentShop } from '../presenters.js';
import { putShopBody, shopBody } from '../schemas.js';
import type { Services } from './route-deps.js';

export const shopRoutes = ({ rpc, subscribers, conversations }: Services) => [
  defineRoute({
    method: 'get',
    path: '/v1/shop',
    summary: "The shop's settings",
    response: shopBody,
    errors: [404],
    async handle({ session }) {
      const out = await rpc(subscribers, subscribers.getShop, { shop: session.shop });
      return presentShop(out.shop!);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/v1/shop',
    summary: "Create or change the shop's settings; fields not given keep their value",
    body: putShopBody,
    response: shopBody,
    errors: [400, 409, 413],
    async handle({ session: { shop }, body }) {
      // The merge over the current settings and a new shop's defaults are the subscriber service's.
      const out = await rpc(subscribers, subscribers.updateShop, {
        shop,
        phoneNumber: body.phoneNumber,
        keywordsGiven: body.keywords !== undefined,
        keywords: body.keywords ?? [],
        timezone: body.timezone,
        quietHoursGiven: body.quietHours !== undefined,
        quietHours: body.quietHours ?? undefined,
        texts: {
          optInConfirmation: body.texts?.optInConfirmation ?? '',
          help: body.texts?.help ?? '',
          optOutConfirmation: body.texts?.optOutConfirmation ?? '',
        },
      });
      // The inbox reads the shop's quiet hours from the conversation service's copy: handed over
      // before answering, so that the next page of the inbox follows them (ShopChanged brings the
      // same shortly after, should this call fail).
      await rpc(conversations, conversations.applyShopSettings, { shop: out.shop });
      return presentShop(out.shop!);
    },
  }),
];
