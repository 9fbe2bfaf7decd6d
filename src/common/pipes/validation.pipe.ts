import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ValidationFailedException, type FieldError } from '../exceptions/domain.exception.js';

// Flattens class-validator's nested errors into one entry per field and rule, with dotted paths.
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule,
      message,
    }));
    return own.concat(toFieldErrors(error.children ?? [], field));
  });
}

// The dotted path of the first string (or key) holding a NUL character, '' for the value itself;
// undefined when there is none. PostgreSQL text cannot store NUL: refused here, as a 400 naming
// the field, rather than failing as a 500 at the database.
export function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulPath(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

class HomecomingValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const at = nulPath(value);
    if (at !== undefined) {
      const field = at || metadata.data || metadata.type;
      throw new ValidationFailedException([
        { field, rule: 'noNulCharacter', message: `${field} must not contain NUL characters` },
      ]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new HomecomingValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedException(toFieldErrors(errors)),
  });
}
