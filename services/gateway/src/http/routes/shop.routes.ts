// The shop's settings.
import { invalid, isAppError } from '@sms-inbox/platform';
import { defineRoute } from '../api-route.js';
import { presentShop } from '../presenters.js';
import { putShopBody, shopBody } from '../schemas.js';
import type { Services } from './route-deps.js';

export const shopRoutes = ({ rpc, subscribers }: Services) => [
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
      const current = await rpc(subscribers, subscribers.getShop, { shop }).then(
        (r) => r.shop!,
        (err) => {
          if (isAppError(err) && err.kind === 'not_found') return null;
          throw err;
        },
      );
      const phoneNumber = body.phoneNumber ?? current?.phoneNumber;
      if (!phoneNumber) throw invalid('phone_number_required', 'phoneNumber is required for a new shop');
      const out = await rpc(subscribers, subscribers.putShop, {
        shop: {
          shop,
          phoneNumber,
          keywords: body.keywords ?? current?.keywords ?? ['JOIN'],
          timezone: body.timezone ?? current?.timezone ?? 'America/New_York',
          quietHours: body.quietHours === undefined ? current?.quietHours : (body.quietHours ?? undefined),
          // Texts left empty get the shop's defaults from the subscriber service.
          texts: {
            optInConfirmation: '',
            help: '',
            optOutConfirmation: '',
            ...current?.texts,
            ...body.texts,
          },
        },
      });
      return presentShop(out.shop!);
    },
  }),
];
