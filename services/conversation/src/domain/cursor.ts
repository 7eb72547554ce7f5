// Opaque keyset cursors for time-ordered lists: (time, id) of the last item of a page, and for
// snapshot lists the instant the first page was read and which conversations it showed because of
// a text that arrived just before that instant.
import { invalid } from '@sms-inbox/platform';

export interface ActivityCursor {
  at: Date;
  id: string;
  /** The snapshot instant: pages after the first order items by their activity as of then. */
  snapshot?: Date;
  /** Short ids (`shortId`) of the first page's conversations touched shortly before the snapshot. */
  shown?: string[];
}

/** At most this many shown ids (a page's limit). */
const MAX_SHOWN = 100;

/** Enough of a conversation id to tell it from the shop's others (its first 48 bits). */
export const shortId = (id: string): string => id.slice(0, 12);

export function encodeCursor(cursor: ActivityCursor): string {
  const parts: unknown[] = [cursor.at.getTime(), cursor.id];
  if (cursor.snapshot) parts.push(cursor.snapshot.getTime());
  if (cursor.snapshot && cursor.shown?.length) parts.push(cursor.shown);
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(raw: string): ActivityCursor {
  try {
    const [at, id, snapshot, shown] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
      unknown,
      unknown,
    ];
    const isTime = (v: unknown): v is number =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 8.64e15;
    const isShown = (v: unknown): v is string[] =>
      Array.isArray(v) && v.length <= MAX_SHOWN && v.every((s) => typeof s === 'string' && s.length <= 12);
    if (
      isTime(at) &&
      typeof id === 'string' &&
      id.length <= 64 &&
      (snapshot === undefined || isTime(snapshot)) &&
      (shown === undefined || (snapshot !== undefined && isShown(shown)))
    ) {
      return {
        at: new Date(at),
        id,
        snapshot: snapshot === undefined ? undefined : new Date(snapshot),
        shown: shown === undefined ? undefined : shown,
      };
    }
  } catch {
    // fall through to the error below
  }
  throw invalid('invalid_cursor', 'cursor is not one this API returned');
}

/** Newest first: whether (at, id) comes after the cursor's position. */
export function isAfter(at: Date, id: string, cursor: ActivityCursor): boolean {
  return at.getTime() < cursor.at.getTime() || (at.getTime() === cursor.at.getTime() && id < cursor.id);
}
