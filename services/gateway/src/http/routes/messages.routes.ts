// Single messages: canceling a scheduled reply, and an inbound MMS's images.
import { pipeline } from 'node:stream/promises';
import { invalid, notFound } from '@sms-inbox/platform';
import { defineRoute } from '../api-route.js';
import { presentMessage } from '../presenters.js';
import { messageBody } from '../schemas.js';
import { idParam, type Services } from './route-deps.js';

export const messageRoutes = ({ rpc, conversations, media }: Services) => [
  defineRoute({
    method: 'post',
    path: '/v1/messages/:id/cancel',
    summary:
      'Cancel a scheduled reply before its release (it is then never sent); again: the same answer. ' +
      '409 message_not_scheduled for a message that is not (or no longer) scheduled',
    response: messageBody,
    errors: [404, 409],
    async handle({ req, session: { shop, userId } }) {
      const { message } = await rpc(conversations, conversations.cancelMessage, {
        shop,
        id: idParam(req),
        actor: userId,
      });
      return presentMessage(message!);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/messages/:id/media/:n',
    summary:
      'The n-th (from 0) image of an inbound MMS, streamed from Twilio with the account credentials; ' +
      "another shop's message or a missing index: 404",
    contentType: 'image/*',
    errors: [400, 404, 503],
    async handle({ req, res, session: { shop } }) {
      const n = String(req.params.n);
      if (!/^\d{1,2}$/.test(n)) throw invalid('invalid_media_index', 'the media index is a number from 0');
      const { message } = await rpc(conversations, conversations.getMessage, { shop, id: idParam(req) });
      const url = message?.direction === 'inbound' ? message.mediaUrls[Number(n)] : undefined;
      if (!url) throw notFound('media_not_found', 'no such media');
      const file = await media.open(url);
      res.status(200);
      res.setHeader('content-type', file.contentType);
      if (file.contentLength) res.setHeader('content-length', file.contentLength);
      res.setHeader('cache-control', 'private, max-age=3600');
      res.setHeader(
        'content-disposition',
        file.contentType === 'application/octet-stream' ? 'attachment' : 'inline',
      );
      await pipeline(file.body, res);
      return undefined;
    },
  }),
];
