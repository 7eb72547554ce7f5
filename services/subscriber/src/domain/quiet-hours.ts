// Quiet hours (DESIGN.md §1): the legal window 21:00–08:00 local, united with the shop's own
// window. Pure: (timezone, shop window, instant) → whether quiet hours are on and when they end.
import { DateTime } from 'luxon';

export const LEGAL_WINDOW = { start: '21:00', end: '08:00' } as const;

export interface Window {
  start: string;
  end: string;
}

export interface QuietHoursState {
  active: boolean;
  endsAt: Date | null;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Whether local minute-of-day `t` lies in [start, end), windows wrapping midnight included. */
function inWindow(t: number, w: Window): boolean {
  const s = minutesOf(w.start);
  const e = minutesOf(w.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

export function quietHoursAt(timezone: string, shopWindow: Window | null, at: Date): QuietHoursState {
  const windows = shopWindow ? [LEGAL_WINDOW, shopWindow] : [LEGAL_WINDOW];
  let local = DateTime.fromJSDate(at, { zone: timezone });
  if (!local.isValid) local = DateTime.fromJSDate(at, { zone: 'UTC' });
  const minuteOf = (d: DateTime) => d.hour * 60 + d.minute;
  if (!windows.some((w) => inWindow(minuteOf(local), w))) return { active: false, endsAt: null };
  // Walk forward minute by minute in local time (at most two days) until no window holds.
  let probe = local.startOf('minute');
  for (let i = 0; i < 2 * 24 * 60; i++) {
    probe = probe.plus({ minutes: 1 });
    if (!windows.some((w) => inWindow(minuteOf(probe), w)))
      return { active: true, endsAt: probe.toUTC().toJSDate() };
  }
  return { active: true, endsAt: null };
}
