import { quietHoursAt } from './quiet-hours.js';

const utc = (iso: string) => new Date(iso);

describe('quietHoursAt', () => {
  it.each([
    // New York (UTC-5 in winter): 21:00–08:00 local is quiet.
    ['America/New_York', null, '2026-01-15T17:00:00Z', false, null],
    ['America/New_York', null, '2026-01-16T02:30:00Z', true, '2026-01-16T13:00:00.000Z'],
    ['America/New_York', null, '2026-01-16T12:59:00Z', true, '2026-01-16T13:00:00.000Z'],
    ['America/New_York', null, '2026-01-16T13:00:00Z', false, null],
    // A shop window that widens the legal one (20:00–09:00): the union applies.
    [
      'America/New_York',
      { start: '20:00', end: '09:00' },
      '2026-01-16T01:30:00Z',
      true,
      '2026-01-16T14:00:00.000Z',
    ],
    [
      'America/New_York',
      { start: '20:00', end: '09:00' },
      '2026-01-16T13:30:00Z',
      true,
      '2026-01-16T14:00:00.000Z',
    ],
    // A daytime shop window joined to nothing.
    [
      'America/New_York',
      { start: '12:00', end: '13:00' },
      '2026-01-16T17:30:00Z',
      true,
      '2026-01-16T18:00:00.000Z',
    ],
    // Half-hour offset: Kolkata is UTC+5:30.
    ['Asia/Kolkata', null, '2026-01-16T16:00:00Z', true, '2026-01-17T02:30:00.000Z'],
    // Across the spring-forward night in New York (2026-03-08): 08:00 EDT is 12:00 UTC.
    ['America/New_York', null, '2026-03-08T06:00:00Z', true, '2026-03-08T12:00:00.000Z'],
  ] as const)('%s, shop window %j, at %s → active %s until %s', (zone, window, at, active, endsAt) => {
    const state = quietHoursAt(zone, window, utc(at));
    expect(state.active).toBe(active);
    expect(state.endsAt?.toISOString() ?? null).toBe(endsAt);
  });
});
