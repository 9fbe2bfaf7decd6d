import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { LOCATION_CATEGORIES, type LocationCategory } from './prisoner.entity.js';

// A registry file (CSV or JSON) read into rows and checked, every row, before anything is
// written: the import either takes all rows or (with skipInvalid) the valid ones, and the report
// names every bad row with its errors.

export interface PrisonerValues {
  personalNumber: string;
  surname: string;
  givenNames: string;
  patronymic: string | null;
  rank: string | null;
  birthDate: string | null;
  placeOfBirth: string | null;
  fathersFirstName: string | null;
  mothersMaidenName: string | null;
  militaryUnit: string | null;
  capturedOn: string | null;
  placeOfCapture: string | null;
  locationCategory: LocationCategory;
  healthNotes: string | null;
}

// A row's values, and which columns the file gave it (a CSV's header, a JSON object's keys): a
// known prisoner is changed in those alone. A column given empty is null (the category:
// unknown); one not given is null here too, and left as stored on an update.
export interface PrisonerRow extends PrisonerValues {
  given: ReadonlySet<keyof PrisonerValues>;
}

export interface RowError {
  // 1-based: the CSV's data line (the header is line 0) or the JSON array's element.
  row: number;
  errors: { field: string; message: string }[];
}

export interface CheckedRows {
  valid: PrisonerRow[];
  invalid: RowError[];
  total: number;
}

export type RegistryFormat = 'csv' | 'json';
export const REGISTRY_ENCODINGS = ['utf-8', 'windows-1251'] as const;
export type RegistryEncoding = (typeof REGISTRY_ENCODINGS)[number];

const FIELDS: (keyof PrisonerValues)[] = [
  'personalNumber',
  'surname',
  'givenNames',
  'patronymic',
  'rank',
  'birthDate',
  'placeOfBirth',
  'fathersFirstName',
  'mothersMaidenName',
  'militaryUnit',
  'capturedOn',
  'placeOfCapture',
  'locationCategory',
  'healthNotes',
];
export const REQUIRED_FIELDS = new Set<keyof PrisonerValues>([
  'personalNumber',
  'surname',
  'givenNames',
]);
const MAX_LENGTH: Partial<Record<keyof PrisonerValues, number>> = {
  personalNumber: 50,
  healthNotes: 2_000,
};
// personal_number, personalNumber and "Personal number" are the same column.
const canonical = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '');
const FIELD_BY_NAME = new Map(FIELDS.map((f) => [canonical(f), f]));

// The file's bytes as text. UTF-8 unless told otherwise; bytes that are not UTF-8 are refused
// with what they look like, never guessed into mojibake.
export function decodeFile(bytes: Buffer, encoding: RegistryEncoding = 'utf-8'): string {
  if (encoding === 'windows-1251') return iconv.decode(bytes, 'win1251');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const highBytes = bytes.filter((b) => b >= 0xc0).length;
    const looksCyrillic = highBytes > 0 && iconv.decode(bytes, 'win1251').match(/[а-яё]/gi);
    throw new DomainException('unreadable_file', 'The file is not UTF-8', {
      detail: looksCyrillic
        ? 'It looks like windows-1251 (Cyrillic). Save it as UTF-8, or import it with encoding=windows-1251.'
        : 'Save it as UTF-8 and import it again.',
    });
  }
}

export function readRows(text: string, format: RegistryFormat): Record<string, unknown>[] {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DomainException('unreadable_file', 'The file is not valid JSON', {
        detail: (error as Error).message,
      });
    }
    if (!Array.isArray(parsed)) {
      throw new DomainException('unreadable_file', 'The JSON file must hold an array of prisoners');
    }
    return parsed.map(
      (item) => (item && typeof item === 'object' ? item : {}) as Record<string, unknown>,
    );
  }
  try {
    return parseCsv(text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      delimiter: [',', ';'],
    }) as Record<string, unknown>[];
  } catch (error) {
    throw new DomainException('unreadable_file', 'The file is not valid CSV', {
      detail: (error as Error).message,
    });
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(value: string): string | null {
  const m = ISO_DATE.exec(value);
  if (!m) return 'must be a date as YYYY-MM-DD';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return 'is not a real date';
  if (year < 1900) return 'is before 1900';
  if (date.getTime() > Date.now()) return 'is in the future';
  return null;
}

// Every row checked; a personal number seen earlier in the same file is an error on the later row.
export function checkRows(raw: Record<string, unknown>[]): CheckedRows {
  const valid: PrisonerRow[] = [];
  const invalid: RowError[] = [];
  const seen = new Map<string, number>();
  raw.forEach((source, index) => {
    const row = index + 1;
    const errors: { field: string; message: string }[] = [];
    const values = new Map<keyof PrisonerValues, string>();
    const given = new Set<keyof PrisonerValues>();
    for (const [name, value] of Object.entries(source)) {
      const field = FIELD_BY_NAME.get(canonical(name));
      if (!field) {
        errors.push({ field: name, message: 'is not a column of the registry' });
        continue;
      }
      given.add(field);
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' && typeof value !== 'number') {
        errors.push({ field, message: 'must be text' });
        continue;
      }
      const text = String(value).trim().replace(/\s+/g, ' ');
      if (text) values.set(field, text);
    }
    for (const field of FIELDS) {
      const value = values.get(field);
      if (!value) {
        if (REQUIRED_FIELDS.has(field)) errors.push({ field, message: 'is required' });
        continue;
      }
      if (value.length > (MAX_LENGTH[field] ?? 200)) {
        errors.push({ field, message: `is longer than ${MAX_LENGTH[field] ?? 200} characters` });
      }
      if (field === 'birthDate' || field === 'capturedOn') {
        const problem = checkDate(value);
        if (problem) errors.push({ field, message: problem });
      }
      if (field === 'locationCategory' && !LOCATION_CATEGORIES.includes(value as never)) {
        errors.push({ field, message: `must be one of ${LOCATION_CATEGORIES.join(', ')}` });
      }
    }
    const birth = values.get('birthDate');
    const captured = values.get('capturedOn');
    if (birth && captured && ISO_DATE.test(birth) && ISO_DATE.test(captured) && captured < birth) {
      errors.push({ field: 'capturedOn', message: 'is before the date of birth' });
    }
    const number = values.get('personalNumber');
    if (number) {
      const first = seen.get(number.toUpperCase());
      if (first !== undefined) {
        errors.push({ field: 'personalNumber', message: `repeats row ${first}` });
      } else {
        seen.set(number.toUpperCase(), row);
      }
    }
    if (errors.length > 0) {
      invalid.push({ row, errors });
      return;
    }
    const get = (field: keyof PrisonerValues) => values.get(field) ?? null;
    valid.push({
      personalNumber: number!,
      surname: values.get('surname')!,
      givenNames: values.get('givenNames')!,
      patronymic: get('patronymic'),
      rank: get('rank'),
      birthDate: get('birthDate'),
      placeOfBirth: get('placeOfBirth'),
      fathersFirstName: get('fathersFirstName'),
      mothersMaidenName: get('mothersMaidenName'),
      militaryUnit: get('militaryUnit'),
      capturedOn: get('capturedOn'),
      placeOfCapture: get('placeOfCapture'),
      locationCategory: (get('locationCategory') as LocationCategory | null) ?? 'unknown',
      healthNotes: get('healthNotes'),
      given,
    });
  });
  return { valid, invalid, total: raw.length };
}
