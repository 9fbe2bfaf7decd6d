import type { ErrorCode } from './error-codes.js';

export interface FieldError {
  // Dotted path into the request body, e.g. `inquirer.phones.0`.
  field: string;
  message: string;
  // Which rule failed (class-validator constraint name), for clients that translate messages.
  rule?: string;
}

export interface DomainExceptionOptions {
  detail?: string;
  errors?: FieldError[];
  // Extra members of the problem document (RFC 9457 extension members).
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

// What services throw. It carries a stable code; the HTTP status is decided in one place, the
// problem-details filter.
export class DomainException extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly extensions?: Record<string, unknown>;

  constructor(code: ErrorCode, title: string, options: DomainExceptionOptions = {}) {
    super(title, { cause: options.cause });
    this.name = 'DomainException';
    this.code = code;
    this.detail = options.detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

export class ValidationFailedException extends DomainException {
  constructor(errors: FieldError[]) {
    super('validation_failed', 'The request is not valid', {
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    });
  }
}
