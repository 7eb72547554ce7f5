import {
  type LegalWindow,
  legalWindowFor,
  quietHoursAt,
  resolveTimezone,
  type Window,
  workOutQuietHours,
} from './quiet-hours.js';

const LEGAL = legalWindowFor({ address: null, phone: null });
const FLORIDA = legalWindowFor({ address: null, phone: 'US-FL' });

interface Case {
  name: string;
  zone: string;
  at: string;
  shop?: Window;
  legal?: LegalWindow;
  /** endsAt (UTC) and rule, or null when quiet hours are off. */
  expected: [string, 'legal' | 'state' | 'shop'] | null;
}

const cases: Case[] = [
  // New York around the spring jump (2026-03-08 02:00 EST → 03:00 EDT).
  {
    name: 'NY Saturday noon before the jump',
    zone: 'America/New_York',
    at: '2026-03-07T17:00:00Z',
    expected: null,
  },
  {
    name: 'NY 22:00 EST the night of the jump: ends 08:00 EDT',
    zone: 'America/New_York',
    at: '2026-03-08T03:00:00Z',
    expected: ['2026-03-08T12:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 01:59 EST, a minute before the skipped hour',
    zone: 'America/New_York',
    at: '2026-03-08T06:59:00Z',
    expected: ['2026-03-08T12:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 03:00 EDT, right after the skipped hour',
    zone: 'America/New_York',
    at: '2026-03-08T07:00:00Z',
    expected: ['2026-03-08T12:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 07:30 EDT on the jump day',
    zone: 'America/New_York',
    at: '2026-03-08T11:30:00Z',
    expected: ['2026-03-08T12:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 08:00 EDT on the jump day',
    zone: 'America/New_York',
    at: '2026-03-08T12:00:00Z',
    expected: null,
  },
  {
    name: 'NY shop window ending inside the skipped hour (02:30) does not end quiet hours early',
    zone: 'America/New_York',
    at: '2026-03-08T06:30:00Z',
    shop: { start: '22:00', end: '02:30' },
    expected: ['2026-03-08T12:00:00.000Z', 'legal'],
  },
  // New York around the autumn fall-back (2026-11-01 02:00 EDT → 01:00 EST).
  {
    name: 'NY 22:30 EDT before the fall-back: ends 08:00 EST',
    zone: 'America/New_York',
    at: '2026-11-01T02:30:00Z',
    expected: ['2026-11-01T13:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 01:30 EDT, first pass of the repeated hour',
    zone: 'America/New_York',
    at: '2026-11-01T05:30:00Z',
    expected: ['2026-11-01T13:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 01:30 EST, second pass of the repeated hour',
    zone: 'America/New_York',
    at: '2026-11-01T06:30:00Z',
    expected: ['2026-11-01T13:00:00.000Z', 'legal'],
  },
  {
    name: 'NY 20:59 EST after the fall-back',
    zone: 'America/New_York',
    at: '2026-11-02T01:59:00Z',
    expected: null,
  },
  {
    name: 'NY 21:00 EST after the fall-back',
    zone: 'America/New_York',
    at: '2026-11-02T02:00:00Z',
    expected: ['2026-11-02T13:00:00.000Z', 'legal'],
  },
  {
    name: 'NY morning shop window 07:00–09:30, at 08:15 EST: the shop rule holds',
    zone: 'America/New_York',
    at: '2026-11-01T13:15:00Z',
    shop: { start: '07:00', end: '09:30' },
    expected: ['2026-11-01T14:30:00.000Z', 'shop'],
  },
  {
    name: 'NY legal and shop windows overlapping at 06:00 EST: ends at the later end',
    zone: 'America/New_York',
    at: '2026-11-01T11:00:00Z',
    shop: { start: '07:00', end: '09:30' },
    expected: ['2026-11-01T14:30:00.000Z', 'shop'],
  },
  // Zones without daylight saving, and with half- and quarter-hour offsets.
  { name: 'Honolulu 20:59 HST', zone: 'Pacific/Honolulu', at: '2026-06-16T06:59:00Z', expected: null },
  {
    name: 'Honolulu 21:00 HST',
    zone: 'Pacific/Honolulu',
    at: '2026-06-16T07:00:00Z',
    expected: ['2026-06-16T18:00:00.000Z', 'legal'],
  },
  {
    name: 'Phoenix 07:59 MST on the US jump day (Arizona does not jump)',
    zone: 'America/Phoenix',
    at: '2026-03-08T14:59:00Z',
    expected: ['2026-03-08T15:00:00.000Z', 'legal'],
  },
  {
    name: 'Phoenix 21:30 MST in July',
    zone: 'America/Phoenix',
    at: '2026-07-02T04:30:00Z',
    expected: ['2026-07-02T15:00:00.000Z', 'legal'],
  },
  { name: 'Kolkata 20:59 IST (UTC+5:30)', zone: 'Asia/Kolkata', at: '2026-05-10T15:29:00Z', expected: null },
  {
    name: 'Kolkata 21:00 IST',
    zone: 'Asia/Kolkata',
    at: '2026-05-10T15:30:00Z',
    expected: ['2026-05-11T02:30:00.000Z', 'legal'],
  },
  {
    name: 'Kathmandu 07:59 NPT (UTC+5:45)',
    zone: 'Asia/Kathmandu',
    at: '2026-05-10T02:14:00Z',
    expected: ['2026-05-10T02:15:00.000Z', 'legal'],
  },
  { name: 'Kathmandu noon', zone: 'Asia/Kathmandu', at: '2026-05-10T06:15:00Z', expected: null },
  // Lord Howe Island moves its clock by half an hour.
  {
    name: 'Lord Howe 23:00 LHDT the night DST ends: ends 08:00 LHST (UTC+10:30)',
    zone: 'Australia/Lord_Howe',
    at: '2026-04-04T12:00:00Z',
    expected: ['2026-04-04T21:30:00.000Z', 'legal'],
  },
  {
    name: 'Lord Howe 07:00 LHDT the morning DST starts (UTC+11)',
    zone: 'Australia/Lord_Howe',
    at: '2026-10-03T20:00:00Z',
    expected: ['2026-10-03T21:00:00.000Z', 'legal'],
  },
  {
    name: 'Lord Howe noon in winter',
    zone: 'Australia/Lord_Howe',
    at: '2026-07-01T01:30:00Z',
    expected: null,
  },
  // Shop windows that wrap midnight, widen the legal one, or sit inside it.
  {
    name: 'Berlin shop window 19:00–09:00 at 19:30 CEST',
    zone: 'Europe/Berlin',
    at: '2026-07-01T17:30:00Z',
    shop: { start: '19:00', end: '09:00' },
    expected: ['2026-07-02T07:00:00.000Z', 'shop'],
  },
  {
    name: 'Berlin shop window 19:00–09:00 at 08:30 CEST the next morning',
    zone: 'Europe/Berlin',
    at: '2026-07-02T06:30:00Z',
    shop: { start: '19:00', end: '09:00' },
    expected: ['2026-07-02T07:00:00.000Z', 'shop'],
  },
  {
    name: 'Berlin shop window 19:00–09:00 ends at 09:00 sharp',
    zone: 'Europe/Berlin',
    at: '2026-07-02T07:00:00Z',
    shop: { start: '19:00', end: '09:00' },
    expected: null,
  },
  {
    name: 'Berlin lunch window 12:00–13:00',
    zone: 'Europe/Berlin',
    at: '2026-07-02T10:30:00Z',
    shop: { start: '12:00', end: '13:00' },
    expected: ['2026-07-02T11:00:00.000Z', 'shop'],
  },
  {
    name: 'NY shop window 20:00–09:00 widens the legal one at 20:30 EDT',
    zone: 'America/New_York',
    at: '2026-06-11T00:30:00Z',
    shop: { start: '20:00', end: '09:00' },
    expected: ['2026-06-11T13:00:00.000Z', 'shop'],
  },
  {
    name: 'NY shop window 22:00–07:00 inside the legal one removes nothing at 07:30 EDT',
    zone: 'America/New_York',
    at: '2026-06-10T11:30:00Z',
    shop: { start: '22:00', end: '07:00' },
    expected: ['2026-06-10T12:00:00.000Z', 'legal'],
  },
  {
    name: 'NY shop window 08:00–12:00 joined to the legal end',
    zone: 'America/New_York',
    at: '2026-06-10T11:00:00Z',
    shop: { start: '08:00', end: '12:00' },
    expected: ['2026-06-10T16:00:00.000Z', 'shop'],
  },
  {
    name: 'an empty shop window (start = end) adds nothing',
    zone: 'America/New_York',
    at: '2026-06-10T16:00:00Z',
    shop: { start: '10:00', end: '10:00' },
    expected: null,
  },
  // The stricter states.
  {
    name: 'a Florida area code at 20:30 EDT',
    zone: 'America/New_York',
    at: '2026-06-11T00:30:00Z',
    legal: FLORIDA,
    expected: ['2026-06-11T12:00:00.000Z', 'state'],
  },
  {
    name: 'the same instant for a number outside the strict states',
    zone: 'America/New_York',
    at: '2026-06-11T00:30:00Z',
    expected: null,
  },
  {
    name: 'a New York number with a Florida address at 20:30 EDT: the stricter applies',
    zone: 'America/New_York',
    at: '2026-06-11T00:30:00Z',
    legal: legalWindowFor({ address: 'US-FL', phone: 'US-NY' }),
    expected: ['2026-06-11T12:00:00.000Z', 'state'],
  },
  {
    name: 'Oklahoma at 20:15 CDT',
    zone: 'America/Chicago',
    at: '2026-06-11T01:15:00Z',
    legal: legalWindowFor({ address: 'US-OK', phone: null }),
    expected: ['2026-06-11T13:00:00.000Z', 'state'],
  },
  {
    name: 'Washington at 19:59 PDT is still open',
    zone: 'America/Los_Angeles',
    at: '2026-06-11T02:59:00Z',
    legal: legalWindowFor({ address: null, phone: 'US-WA' }),
    expected: null,
  },
  {
    name: 'a strict state and a shop window 19:00–20:30: the state window holds past the shop end',
    zone: 'America/New_York',
    at: '2026-06-10T23:30:00Z',
    shop: { start: '19:00', end: '20:30' },
    legal: FLORIDA,
    expected: ['2026-06-11T12:00:00.000Z', 'state'],
  },
];

describe('quietHoursAt', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const state = quietHoursAt({
      timezone: c.zone,
      legal: c.legal ?? LEGAL,
      shop: c.shop ?? null,
      at: new Date(c.at),
    });
    if (c.expected === null) {
      expect(state).toEqual({ active: false, endsAt: null, rule: null, state: null });
    } else {
      expect({ endsAt: state.endsAt?.toISOString(), rule: state.rule, active: state.active }).toEqual({
        endsAt: c.expected[0],
        rule: c.expected[1],
        active: true,
      });
    }
  });

  it('has a table of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('names the state whose rule applies', () => {
    const state = quietHoursAt({
      timezone: 'America/New_York',
      legal: FLORIDA,
      shop: null,
      at: new Date('2026-06-11T00:30:00Z'),
    });
    expect(state.state).toBe('US-FL');
  });

  it('reports no end when the shop window closes the rest of the day', () => {
    const state = quietHoursAt({
      timezone: 'America/New_York',
      legal: LEGAL,
      shop: { start: '08:00', end: '21:00' },
      at: new Date('2026-06-10T16:00:00Z'),
    });
    expect(state).toMatchObject({ active: true, endsAt: null });
  });

  it('answers the same at every instant of a minute, so an answer kept for the minute is the answer', () => {
    // Every 7th minute (each minute of the hour in turn) of a day with a jump: New York's spring
    // jump, Lord Howe's half-hour one, and Kolkata's half-hour offset, with a shop window that
    // ends inside the skipped hour.
    const days = [
      ['America/New_York', '2026-03-08T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T12:00:00Z'],
      ['Asia/Kolkata', '2026-06-10T00:00:00Z'],
    ] as const;
    let differing = 0;
    for (const [timezone, from] of days) {
      for (let minute = 0; minute < 1_440; minute += 7) {
        const start = new Date(from).getTime() + minute * 60_000;
        const input = (at: number) => ({
          timezone,
          legal: FLORIDA,
          shop: { start: '01:00', end: '02:30' },
          at: new Date(at),
        });
        const first = workOutQuietHours(input(start));
        const last = workOutQuietHours(input(start + 59_999));
        if (JSON.stringify(first) !== JSON.stringify(last)) differing++;
        expect(quietHoursAt(input(start + 30_000))).toEqual(first);
      }
    }
    expect(differing).toBe(0);
  });

  it('reads an unknown zone as UTC rather than failing', () => {
    expect(
      quietHoursAt({
        timezone: 'Mars/Olympus',
        legal: LEGAL,
        shop: null,
        at: new Date('2026-06-10T22:00:00Z'),
      }),
    ).toMatchObject({ active: true, endsAt: new Date('2026-06-11T08:00:00Z') });
  });
});

describe('resolveTimezone', () => {
  it.each([
    [
      'the address when it pins one zone down',
      { address: 'America/Chicago', phone: ['America/New_York'], shop: 'UTC' },
      'America/Chicago',
      'address',
    ],
    [
      'the phone number when its prefix has one zone',
      { address: null, phone: ['Asia/Tokyo'], shop: 'Europe/Berlin' },
      'Asia/Tokyo',
      'phone',
    ],
    [
      'the shop when the prefix spans zones (toll-free, non-geographic)',
      { address: null, phone: ['America/New_York', 'America/Chicago'], shop: 'Europe/Berlin' },
      'Europe/Berlin',
      'shop',
    ],
    [
      'the shop when nothing else is known',
      { address: null, phone: [], shop: 'America/Denver' },
      'America/Denver',
      'shop',
    ],
    [
      'past an address zone that is not a zone',
      { address: 'Nowhere/Else', phone: ['Asia/Kolkata'], shop: 'UTC' },
      'Asia/Kolkata',
      'phone',
    ],
  ] as const)('takes %s', (_name, candidates, timezone, source) => {
    expect(resolveTimezone(candidates)).toEqual({ timezone, source });
  });
});

describe('legalWindowFor', () => {
  it.each([
    [{ address: null, phone: null }, '21:00', 'legal', null],
    [{ address: 'US-CT', phone: null }, '20:00', 'state', 'US-CT'],
    [{ address: null, phone: 'US-MD' }, '20:00', 'state', 'US-MD'],
    [{ address: 'US-NY', phone: 'US-FL' }, '20:00', 'state', 'US-FL'],
    [{ address: 'US-CA', phone: 'US-NY' }, '21:00', 'legal', null],
  ] as const)('%j → from %s', (regions, start, rule, state) => {
    expect(legalWindowFor(regions)).toMatchObject({ window: { start }, rule, state });
  });
});
