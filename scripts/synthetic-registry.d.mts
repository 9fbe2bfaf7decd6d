// Types of synthetic-registry.mjs.
export interface VariantName {
  lang: string;
  surname: string;
  given: string;
  patronymic: string;
  spellings: string[];
}
export interface RegistryRow {
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
  locationCategory: string;
  healthNotes: string | null;
}
export interface AbsentPerson {
  surname: string;
  givenName: string;
  patronymic: string;
  birthYear: number;
  birthMonth: number;
  birthDay: number;
}
export function readVariants(file: string): VariantName[];
export function generateRegistry(options: {
  count: number;
  seed?: number;
  variants?: { surname: string; given: string; patronymic: string }[];
}): RegistryRow[];
export function generateAbsent(options: { count: number; seed?: number }): AbsentPerson[];
export function toCsv(rows: RegistryRow[]): string;
