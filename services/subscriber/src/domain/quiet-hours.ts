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
  const quietAt = (d: DateTime) => windows.some((w) => inWindow(d.hour * 60 + d.minute, w));
  if (!quietAt(local)) return { active: false, endsAt: null };
  // Quiet hours can only end at a window's end: try those instants in order (today, the next
  // two days), and take the first one at which no window holds.
  const candidates: DateTime[] = [];
  for (let day = 0; day <= 2; day++) {
    const date = local.startOf('day').plus({ days: day });
    for (const w of windows) {
      const minutes = minutesOf(w.end);
      const end = date.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
      if (end > local) candidates.push(end);
    }
  }
  candidates.sort((a, b) => a.toMillis() - b.toMillis());
  const end = candidates.find((c) => !quietAt(c));
  return { active: true, endsAt: end ? end.toUTC().toJSDate() : null };
}
