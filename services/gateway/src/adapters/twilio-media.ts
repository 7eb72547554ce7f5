// Inbound MMS media, fetched from Twilio with the account's credentials (Twilio's media URLs
// need them) and handed back as a stream. Only this account's media URLs are ever fetched.
import { Readable } from 'node:stream';
import { notFound, unavailable } from '@sms-inbox/platform';
import { accountMediaUrl, basicAuth, type TwilioAccount } from '@sms-inbox/twilio';

export interface MediaStream {
  contentType: string;
  contentLength: string | null;
  body: Readable;
}

/** What a dashboard may be handed inline; anything else is sent as a download. */
const INLINE_TYPES =
  /^(image\/(jpeg|png|gif|webp|bmp|heic|heif)|video\/(mp4|3gpp|quicktime)|audio\/[\w.+-]+)$/;

export class TwilioMedia {
  constructor(
    private readonly account: TwilioAccount,
    private readonly timeoutMs: number,
  ) {}

  async open(mediaUrl: string): Promise<MediaStream> {
    const url = accountMediaUrl(this.account, mediaUrl);
    if (!url) throw notFound('media_not_found', 'no such media');
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: basicAuth(this.account) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unavailable('media_unavailable', 'the media could not be fetched from Twilio', { cause: err });
    }
    if (res.status === 404) throw notFound('media_not_found', 'no such media');
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw unavailable('media_unavailable', `Twilio answered ${res.status} for the media`);
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    return {
      contentType: INLINE_TYPES.test(type) ? type : 'application/octet-stream',
      contentLength: res.headers.get('content-length'),
      body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    };
  }
}
