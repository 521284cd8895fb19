import { Masker } from '../../../cli/rehearse/inputs';

/** The masker that rehearse passes every line it prints through: what it hides, and what it leaves readable. */
describe('Masker', () => {
  it('masks a whole value of any length; one shorter than 4 characters only where it stands alone', () => {
    const masker = new Masker();
    masker.addWhole('tok_NEWVALUE_1');
    masker.addWhole('x9');
    expect(masker.mask('set tok_NEWVALUE_1 and "x9" (x9), not x99, ax9 or x9_a')).toBe('set [REDACTED] and "[REDACTED]" ([REDACTED]), not x99, ax9 or x9_a');
  });

  it('masks each line of a multi-line value, and the value as a JSON string escapes it', () => {
    const masker = new Masker();
    masker.addWhole('first-line-of-it\nsecond "line"');
    expect(masker.mask('got first-line-of-it; then {"v":"second \\"line\\""}')).toBe('got [REDACTED]; then {"v":"[REDACTED]"}');
  });

  it('leaves strings shorter than 4 characters inside a JSON secret unmasked, so that they do not garble every line', () => {
    const masker = new Masker();
    masker.add({ password: 'long-enough', region: 'eu', port: 5432, host: 'db.example' });
    expect(masker.mask('eu: long-enough at db.example')).toBe('eu: [REDACTED] at db.example');
  });

  it('masks nothing before it has learnt a value', () => {
    expect(new Masker().mask('createSecret ok (12 ms)')).toBe('createSecret ok (12 ms)');
  });
});
