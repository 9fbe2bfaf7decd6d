import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import { en } from './en';
import { raUkrainian } from './ra-uk';
import { uk } from './uk';

type Tree = { [key: string]: string | Tree };

// Ukrainian over English: a key not yet translated shows in English rather than as its name.
function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      typeof value === 'object' && typeof current === 'object' ? merge(current, value) : value;
  }
  return out;
}

const english = merge(englishMessages as unknown as Tree, en as unknown as Tree);
const ukrainian = merge(merge(english, raUkrainian as unknown as Tree), uk as unknown as Tree);

const LOCALE_KEY = 'homecoming.locale';
const initial = (() => {
  const saved = localStorage.getItem(LOCALE_KEY);
  if (saved === 'en' || saved === 'uk') return saved;
  return navigator.language.startsWith('uk') ? 'uk' : 'en';
})();

const provider = polyglotI18nProvider(
  (locale) => (locale === 'uk' ? ukrainian : english) as never,
  initial,
  [
    { locale: 'en', name: 'English' },
    { locale: 'uk', name: 'Українська' },
  ],
  { allowMissing: true },
);

// The chosen language is remembered in this browser; <html lang> follows it (screen readers).
export const i18nProvider = {
  ...provider,
  changeLocale: async (locale: string) => {
    localStorage.setItem(LOCALE_KEY, locale);
    document.documentElement.lang = locale;
    return provider.changeLocale(locale);
  },
};
document.documentElement.lang = initial;
