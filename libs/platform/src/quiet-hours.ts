// Quiet hours (docs/architecture.md, "Product rules"), pure: which timezone a subscriber lives in, which legal window
// applies to them, and, at an instant, whether quiet hours are on, until when, and by which rule.
//
// The legal window is 21:00–08:00 local (the TCPA's 08:00–21:00 for marketing texts); Florida,
// Oklahoma, Maryland, Washington and Connecticut allow texts only 08:00–20:00, so there it is
// 20:00–08:00, for a subscriber placed there by address or by area code (when the two
// disagree, the stricter applies). A shop may add its own window; the effective quiet hours are
// the union: a shop can add quiet time, never remove it. Windows are local wall-clock times,
// may wrap midnight, and are read on the subscriber's clock, so daylight-saving jumps move
// them with the clock: an end inside a skipped hour is the first instant after the jump, an
// end inside a repeated hour is its later occurrence (quiet hours never end twice).
import { DateTime } from 'luxon';

export interface Window {
  /** Local "HH:MM". */
  start: string;
  end: string;
}

export const LEGAL_WINDOW: Window = { start: '21:00', end: '08:00' };
export const STRICT_STATE_WINDOW: Window = { start: '20:00', end: '08:00' };
/** ISO 3166-2 codes of the US states with the 08:00–20:00 rule. */
export const STRICT_STATES: ReadonlySet<string> = new Set(['US-FL', 'US-OK', 'US-MD', 'US-WA', 'US-CT']);

export type TimezoneSource = 'address' | 'phone' | 'shop';
export type QuietRule = 'legal' | 'state' | 'shop';

export interface TimezoneCandidates {
  /** The zone the checkout address pins down, if any. */
  address: string | null;
  /** The zones the phone number's prefix lies in (a phone-number data library's answer). */
  phone: readonly string[];
  shop: string;
}

/** Zones already checked: the check builds a date in the zone, which costs more than the view it serves. */
const checkedZones = new Map<string, boolean>();

export function isValidZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  let valid = checkedZones.get(zone);
  if (valid === undefined) {
    valid = DateTime.local().setZone(zone).isValid;
    // Zone names come from addresses and phone data: a bounded set, but never let it grow unbounded.
    if (checkedZones.size >= 1_000) checkedZones.clear();
    checkedZones.set(zone, valid);
  }
  return valid;
}

/** Address when it pins one zone down, else the phone number when its prefix has one zone, else the shop's. */
export function resolveTimezone(candidates: TimezoneCandidates): {
  timezone: string;
  source: TimezoneSource;
} {
  if (isValidZone(candidates.address)) return { timezone: candidates.address, source: 'address' };
  const phone = [...new Set(candidates.phone)];
  if (phone.length === 1 && isValidZone(phone[0])) return { timezone: phone[0], source: 'phone' };
  return { timezone: isValidZone(candidates.shop) ? candidates.shop : 'UTC', source: 'shop' };
}

export interface LegalWindow {
  window: Window;
  rule: 'legal' | 'state';
  /** The strict state that applies, e.g. "US-FL". */
  state: string | null;
}

/** The legal window of a subscriber placed by address and by area code (ISO 3166-2 regions). */
export function legalWindowFor(regions: { address: string | null; phone: string | null }): LegalWindow {
  const strict = [regions.address, regions.phone].find((r) => r && STRICT_STATES.has(r));
  return strict
    ? { window: STRICT_STATE_WINDOW, rule: 'state', state: strict }
    : { window: LEGAL_WINDOW, rule: 'legal', state: null };
}

export interface QuietHoursInput {
  timezone: string;
  legal: LegalWindow;
  shop: Window | null;
  at: Date;
}

export interface QuietHours {
  active: boolean;
  /** When sending is allowed again; null when not active. */
  endsAt: Date | null;
  /** The window that holds until `endsAt` (the later one when two are on). */
  rule: QuietRule | null;
  /** The strict state, when the state rule applies. */
  state: string | null;
}

const OFF: QuietHours = { active: false, endsAt: null, rule: null, state: null };

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Whether local minute-of-day `t` lies in [start, end); a window may wrap midnight. */
function inWindow(t: number, w: Window): boolean {
  const s = minutesOf(w.start);
  const e = minutesOf(w.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/**
 * The instant a wall-clock time happens on a local date: in a skipped hour, the first instant
 * after the jump (luxon moves it forward); in a repeated hour, the later occurrence.
 */
function wallClock(date: DateTime, hhmm: string): DateTime {
  const minutes = minutesOf(hhmm);
  const first = date.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
  let latest = first;
  for (const shift of [30, 60]) {
    const again = first.plus({ minutes: shift });
    if (again.hour === first.hour && again.minute === first.minute) latest = again;
  }
  return latest;
}

/**
 * Answers already worked out, by zone, windows and minute. Windows start and end on whole
 * minutes, so every instant of a minute has the same answer; working one out reads the zone's
 * offsets several times, the largest share of a busy subscriber service's CPU before this.
 */
const answers = new Map<string, QuietHours>();
const MAX_ANSWERS = 10_000;

export function quietHoursAt(input: QuietHoursInput): QuietHours {
  const { legal, shop } = input;
  // Callers outside TypeScript's reach may pass an instant that is not a Date: worked out as before.
  const ms = input.at instanceof Date ? input.at.getTime() : Number.NaN;
  if (!legal || Number.isNaN(ms)) return workOutQuietHours(input);
  const key = `${Math.floor(ms / 60_000)}|${input.timezone}|${legal.rule}|${legal.state}|${legal.window.start}-${legal.window.end}|${shop ? `${shop.start}-${shop.end}` : ''}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = workOutQuietHours(input);
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answers.set(key, answer);
  }
  return answer;
}

/** The same, worked out afresh (no stored answers). */
export function workOutQuietHours(input: QuietHoursInput): QuietHours {
  const zone = isValidZone(input.timezone) ? input.timezone : 'UTC';
  const windows: Array<{ window: Window; rule: QuietRule }> = [
    { window: input.legal.window, rule: input.legal.rule },
  ];
  if (input.shop) windows.push({ window: input.shop, rule: 'shop' });
  const quietAt = (d: DateTime) => windows.some(({ window }) => inWindow(d.hour * 60 + d.minute, window));

  const local = DateTime.fromJSDate(input.at, { zone });
  if (!quietAt(local)) return OFF;
  // Quiet hours can only end at a window's end: try those instants in order (today and the next
  // two days) and take the first at which no window holds.
  const candidates: Array<{ at: DateTime; rule: QuietRule }> = [];
  for (let day = 0; day <= 2; day++) {
    const date = local.startOf('day').plus({ days: day });
    for (const { window, rule } of windows) {
      const end = wallClock(date, window.end);
      if (end > local) candidates.push({ at: end, rule });
    }
  }
  // Earliest first; at a shared end the legal rule is the one reported.
  const order: Record<QuietRule, number> = { state: 0, legal: 0, shop: 1 };
  candidates.sort((a, b) => a.at.toMillis() - b.at.toMillis() || order[a.rule] - order[b.rule]);
  const end = candidates.find((c) => !quietAt(c.at));
  if (!end) return { active: true, endsAt: null, rule: input.legal.rule, state: input.legal.state };
  return {
    active: true,
    endsAt: end.at.toUTC().toJSDate(),
    rule: end.rule,
    state: end.rule === 'state' ? input.legal.state : null,
  };
}

/** What a subscriber's timezone and legal window are worked out from (kept with the subscriber). */
export interface SubscriberPlace {
  /** The zone of the checkout address, if any. */
  addressTimezone: string | null;
  /** The zones of the number's prefix. */
  phoneZones: readonly string[];
  /** ISO 3166-2 regions of the address and of the area code. */
  region: string | null;
  phoneRegion: string | null;
}

/**
 * A subscriber's timezone and quiet hours at `at`, under a shop's settings (none: UTC, no window
 * of the shop's). `known` keeps quiet hours already worked out at `at` by timezone and legal
 * window, so that a page of subscribers works each out once.
 */
export function subscriberQuietHours(
  place: SubscriberPlace,
  shop: { timezone?: string; quietHours?: Window | null } | null,
  at: Date,
  known: Map<string, QuietHours> = new Map(),
): { timezone: string; timezoneSource: TimezoneSource; quietHours: QuietHours } {
  const { timezone, source } = resolveTimezone({
    address: place.addressTimezone,
    phone: place.phoneZones,
    shop: shop?.timezone || 'UTC',
  });
  const legal = legalWindowFor({ address: place.region, phone: place.phoneRegion });
  const key = `${timezone}|${legal.rule}|${legal.state ?? ''}`;
  let quietHours = known.get(key);
  if (!quietHours) {
    quietHours = quietHoursAt({ timezone, legal, shop: shop?.quietHours ?? null, at });
    known.set(key, quietHours);
  }
  return { timezone, timezoneSource: source, quietHours };
}
