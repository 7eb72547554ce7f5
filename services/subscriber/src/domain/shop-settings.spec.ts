import { defaultTexts, mergeShopSettings } from './shop-settings.js';

describe('mergeShopSettings', () => {
  const current = {
    phoneNumber: '+14155550100',
    keywords: ['JOIN', 'VIP'],
    timezone: 'America/Chicago',
    quietHours: { start: '12:00', end: '13:00' },
    texts: { optInConfirmation: 'hi', help: 'help me', optOutConfirmation: 'bye' },
  };

  it('keeps what a change does not give, and clears the shop window only when told', () => {
    expect(
      mergeShopSettings('a.myshopify.com', current, {
        timezone: 'Europe/Paris',
        texts: { help: 'new help' },
      }),
    ).toEqual({
      ...current,
      timezone: 'Europe/Paris',
      texts: { ...current.texts, help: 'new help' },
    });
    expect(mergeShopSettings('a.myshopify.com', current, { quietHours: null }).quietHours).toBeNull();
    expect(mergeShopSettings('a.myshopify.com', current, { keywords: [] }).keywords).toEqual([]);
  });

  it('gives a new shop the defaults, and needs its sending number', () => {
    expect(mergeShopSettings('acme.myshopify.com', null, { phoneNumber: '+14155550100' })).toEqual({
      phoneNumber: '+14155550100',
      keywords: ['JOIN'],
      timezone: 'America/New_York',
      quietHours: null,
      texts: defaultTexts('acme.myshopify.com'),
    });
    expect(() => mergeShopSettings('acme.myshopify.com', null, { keywords: ['JOIN'] })).toThrow(
      expect.objectContaining({ code: 'phone_number_required' }),
    );
  });
});
