import translitModule from 'cyrillic-to-translit-js';
import iuliia from 'iuliia';

// A CommonJS package whose typings describe an ES default export: at run time the default import
// is the function itself.
const cyrillicToTranslit = translitModule as unknown as (config: { preset: 'uk' }) => {
  transform(input: string): string;
};

// Letters only Ukrainian has (and its apostrophe between letters): such a name is spelled as a
// Ukrainian passport spells it (Cabinet of Ministers Resolution No. 55 of 2010).
const UKRAINIAN = /[іїєґІЇЄҐ]|[а-яА-Я]['’ʼ][а-яА-Я]/;
const ukrainian = cyrillicToTranslit({ preset: 'uk' });

// A name as a Latin passport of its country writes it, for staff who compare a family's spelling
// with the registry's: Russian by ICAO Doc 9303 (Russian passports since 2013), Ukrainian by the
// national table. Latin text comes back as it is.
export function latinOf(name: string | null | undefined): string | null {
  if (!name) return null;
  if (!/[\u0400-\u04ff]/.test(name)) return name;
  return UKRAINIAN.test(name)
    ? ukrainian.transform(name.replace(/['’ʼ]/g, ''))
    : iuliia.translate(name, iuliia.ICAO_DOC_9303);
}
