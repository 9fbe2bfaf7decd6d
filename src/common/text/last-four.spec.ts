import { describe, expect, it } from '@jest/globals';
import { lastFour } from './last-four.js';

describe('lastFour', () => {
  it('keeps the last four characters, spaces removed', () => {
    expect(lastFour('4510 123 456')).toBe('3456');
    expect(lastFour('AB')).toBe('AB');
  });

  it('never cuts a character in two', () => {
    const shown = lastFour('ቕ𒾽𛰦⦐🛖');
    expect(shown).toBe('𒾽𛰦⦐🛖');
    expect(Buffer.from(shown, 'utf8').toString('utf8')).toBe(shown); // no lone surrogate
  });
});
