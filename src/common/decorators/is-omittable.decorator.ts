import { ValidateIf } from 'class-validator';

// For a body field with a default: it may be left out (the default applies), but `null` is a
// value like any other and is validated — @IsOptional would let null through, past the default,
// into a NOT NULL column (a 500 the fuzzer found).
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);
