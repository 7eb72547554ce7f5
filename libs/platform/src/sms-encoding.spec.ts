import { smsSize } from './sms-encoding.js';

describe('smsSize', () => {
  it.each([
    ['', 'GSM-7', 1],
    ['Hello', 'GSM-7', 1],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1],
    ['€'.repeat(81), 'GSM-7', 2],
    ['Ça coûte 5 € !', 'UCS-2', 1],
    ['Café ñoño, Ça va? Ü', 'GSM-7', 1],
    ['Café ñandú', 'UCS-2', 1],
    ['Thanks 🙏', 'UCS-2', 1],
    [`${'é'.repeat(10)}ő`, 'UCS-2', 1],
    ['ő'.repeat(70), 'UCS-2', 1],
    ['ő'.repeat(71), 'UCS-2', 2],
    ['ő'.repeat(134), 'UCS-2', 2],
    ['ő'.repeat(135), 'UCS-2', 3],
    ['🙂'.repeat(35), 'UCS-2', 1],
    ['🙂'.repeat(36), 'UCS-2', 2],
  ])('%j → %s in %i segment(s)', (text, encoding, segments) => {
    expect(smsSize(text)).toMatchObject({ encoding, segments });
  });
});
