import { describe, expect, it } from '@jest/globals';
import { latinOf } from './latin.js';

describe('latinOf', () => {
  it.each([
    ['Петров Алексей Сергеевич', 'Petrov Aleksei Sergeevich'],
    ['Юлия Объедкова', 'Iuliia Obieedkova'],
    ['Артём Ёлкин', 'Artem Elkin'],
    ['Гнатюк Остап', 'Gnatiuk Ostap'],
    ['Гнатюк Євген Іванович', 'Hnatiuk Yevhen Ivanovych'],
    ['Згурський Юрій', 'Zghurskyi Yurii'],
    ['Мар’яна', 'Mariana'],
    ['Petrov', 'Petrov'],
  ])('%s → %s', (name, latin) => {
    expect(latinOf(name)).toBe(latin);
  });

  it('has nothing for nothing', () => {
    expect(latinOf(null)).toBeNull();
    expect(latinOf('')).toBeNull();
  });
});
