// Opaque keyset cursors for time-ordered lists: (time, id) of the last item of a page.
import { invalid } from '@sms-inbox/platform';

export interface ActivityCursor {
  at: Date;
  id: string;
}

export function encodeCursor(cursor: ActivityCursor): string {
  return Buffer.from(JSON.stringify([cursor.at.getTime(), cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string): ActivityCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string' && id.length <= 64) {
      return { at: new Date(at), id };
    }
  } catch {
    // fall through to the error below
  }
  throw invalid('invalid_cursor', 'cursor is not one this API returned');
}
