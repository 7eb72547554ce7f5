import { discountLink, withDiscount } from './discount.js';

describe('discount links', () => {
  it('renders the auto-apply link with the code URL-encoded', () => {
    expect(discountLink('acme.myshopify.com', 'SAVE10')).toBe('https://acme.myshopify.com/discount/SAVE10');
    expect(discountLink('acme.myshopify.com', '10% OFF&more')).toBe(
      'https://acme.myshopify.com/discount/10%25%20OFF%26more',
    );
  });

  it('appends the code and link to the text', () => {
    expect(withDiscount('Thanks for waiting!', 'acme.myshopify.com', 'SORRY5')).toBe(
      'Thanks for waiting!\nUse code SORRY5: https://acme.myshopify.com/discount/SORRY5',
    );
  });

  it.each(['', '   ', 'a/b', 'x'.repeat(256), '<script>'])(
    'refuses %j with invalid_discount_code',
    (code) => {
      expect(() => discountLink('acme.myshopify.com', code)).toThrow(
        expect.objectContaining({ code: 'invalid_discount_code' }),
      );
    },
  );
});
