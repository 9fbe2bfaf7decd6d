import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { QueryFailedError } from 'typeorm';
import { DomainException, type FieldError } from '../exceptions/domain.exception.js';
import { problemTypeFor, type ErrorCode } from '../exceptions/error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

interface Classified {
  code: ErrorCode;
  title: string;
  detail: string;
  status?: number;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  // Seconds, sent as Retry-After.
  retryAfter?: number;
}

// The one place where an error becomes an HTTP answer: RFC 9457 problem+json for everything,
// including unknown routes, unparsable bodies and database constraint violations. Anything not
// recognised is a 500 whose body gives only the request id, and whose cause is logged under it.
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly fallbackLogger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string; log?: Logger }>();
    const res = http.getResponse<Response>();
    const classified = classify(exception);
    const status = classified.status ?? statusFor(classified.code);
    const requestId = typeof req.id === 'string' ? req.id : undefined;

    if (classified.retryAfter) {
      // An outage (the database away), not a bug: one line, no stack.
      (req.log ?? this.fallbackLogger).warn(
        { requestId, cause: (exception as Error).message },
        `${classified.title}: answered ${status}`,
      );
    } else if (status >= 500) {
      (req.log ?? this.fallbackLogger).error(
        { err: exception, requestId },
        `unhandled error answered with ${status}`,
      );
    }
    if (res.headersSent) return;
    if (classified.retryAfter) res.setHeader('Retry-After', String(classified.retryAfter));

    const body: ProblemDetails = {
      type: problemTypeFor(classified.code),
      title: classified.title,
      status,
      detail: classified.detail,
      instance: req.originalUrl?.split('?')[0] ?? req.url,
      code: classified.code,
      ...(requestId ? { requestId } : {}),
      ...(classified.errors ? { errors: classified.errors } : {}),
      ...classified.extensions,
    };
    res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }
}

export function statusFor(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
    case 'malformed_json':
    case 'bad_request':
      return 400;
    case 'unauthorized':
    case 'invalid_credentials':
    case 'totp_required':
      return 401;
    case 'forbidden':
    case 'csrf_failed':
    case 'password_change_required':
    case 'totp_enrolment_required':
    case 'attachment_blocked':
      return 403;
    case 'route_not_found':
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'attachment_not_stored':
      return 410;
    case 'conflict':
    case 'last_admin':
    case 'illegal_transition':
    case 'unique_violation':
    case 'stale_version':
    case 'four_eyes_required':
    case 'countersign_mismatch':
    case 'erasure_not_allowed':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'guard_blocked':
    case 'idempotency_key_reused':
    case 'no_email_address':
    case 'registry_import_invalid':
    case 'unreadable_file':
      return 422;
    case 'unsupported_media_type':
      return 415;
    case 'too_many_requests':
      return 429;
    case 'service_unavailable':
      return 503;
    case 'internal_error':
      return 500;
    default: {
      const unmapped: never = code;
      throw new Error(`no HTTP status for error code ${String(unmapped)}`);
    }
  }
}

function classify(exception: unknown): Classified {
  if (exception instanceof DomainException) {
    return {
      code: exception.code,
      title: exception.message,
      detail: exception.detail ?? exception.message,
      errors: exception.errors,
      extensions: exception.extensions,
    };
  }
  // Express wraps body-parser errors in an HttpException whose cause is the parser's error.
  if (exception instanceof HttpException) {
    return fromBodyParserError(exception.cause) ?? fromHttpException(exception);
  }
  if (databaseUnavailable(exception)) {
    return {
      code: 'service_unavailable',
      title: 'Database unavailable',
      detail:
        'The database could not be reached; a change may or may not have been saved. Try again ' +
        'shortly — with the same Idempotency-Key where the request takes one.',
      retryAfter: 5,
    };
  }
  if (exception instanceof QueryFailedError) return fromDatabaseError(exception);
  const parserError = fromBodyParserError(exception);
  if (parserError) return parserError;
  return {
    code: 'internal_error',
    title: 'Internal server error',
    detail: 'Something went wrong on our side. Quote the request id when reporting it.',
  };
}

function fromHttpException(exception: HttpException): Classified {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'string'
      ? response
      : String((response as { message?: unknown }).message ?? exception.message);
  const byStatus: Record<number, ErrorCode> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'too_many_requests',
    503: 'service_unavailable',
  };
  // Nest answers unmatched routes with a NotFoundException reading "Cannot GET /path".
  if (status === 404 && /^Cannot [A-Z]+ /.test(message)) {
    return {
      code: 'route_not_found',
      title: 'No such route',
      detail: message.replace(/\?.*$/, ''),
      status,
    };
  }
  if (status >= 500) {
    return {
      code: 'internal_error',
      title: 'Internal server error',
      detail: 'Unexpected error',
      status,
    };
  }
  return {
    code: byStatus[status] ?? 'bad_request',
    title: exception.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
    detail: message,
    status,
  };
}

// The database away (restarting, failing over, unreachable) rather than the request at fault:
// a 503 the client may retry. A connection lost at COMMIT leaves the outcome unknown, so the
// answer says so (an Idempotency-Key makes the retry safe).
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)|is not currently accepting connections/;

function databaseUnavailable(exception: unknown): boolean {
  // TypeORM releases a transaction's connection when the server drops it; the transaction's
  // next statement (or its COMMIT) then meets this.
  if (exception instanceof Error && exception.name === 'QueryRunnerAlreadyReleasedError')
    return true;
  const error = (exception instanceof QueryFailedError ? exception.driverError : exception) as {
    code?: unknown;
    message?: unknown;
  } | null;
  if (typeof error !== 'object' || error === null) return false;
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    CONNECTION_ERRORS.has(code) ||
    // Class 08's connection failures (not 08P01, a protocol violation: a bug), 57P01-57P03
    // (shutting down, crashed, not yet accepting).
    /^0800[0-6]$/.test(code) ||
    /^57P0[123]$/.test(code) ||
    (typeof error.message === 'string' && CONNECTION_MESSAGES.test(error.message))
  );
}

// PostgreSQL decides uniqueness; a violated constraint is the client's conflict, not our crash.
function fromDatabaseError(error: QueryFailedError): Classified {
  const driverError = error.driverError as { code?: string; constraint?: string };
  switch (driverError.code) {
    case '23505':
      return {
        code: 'unique_violation',
        title: 'Already exists',
        detail: 'A record with the same unique value already exists.',
        extensions: driverError.constraint ? { constraint: driverError.constraint } : undefined,
      };
    case '23503':
      return {
        code: 'conflict',
        title: 'Referenced record missing or still in use',
        detail: 'The change would break a reference between records.',
        extensions: driverError.constraint ? { constraint: driverError.constraint } : undefined,
      };
    default:
      return {
        code: 'internal_error',
        title: 'Internal server error',
        detail: 'Something went wrong on our side. Quote the request id when reporting it.',
      };
  }
}

// Errors raised by the JSON body parser (http-errors with a `type`) before any handler runs.
function fromBodyParserError(exception: unknown): Classified | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { type, status, limit } = exception as {
    type?: unknown;
    status?: unknown;
    limit?: unknown;
  };
  switch (type) {
    case 'entity.parse.failed':
      return {
        code: 'malformed_json',
        title: 'Malformed JSON',
        detail: 'The request body is not valid JSON.',
      };
    case 'entity.too.large':
      return {
        code: 'payload_too_large',
        title: 'Payload too large',
        detail: `The request body is larger than the limit of ${String(limit)} bytes.`,
        extensions: typeof limit === 'number' ? { limitBytes: limit } : undefined,
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        code: 'unsupported_media_type',
        title: 'Unsupported encoding',
        detail: 'The request body uses an encoding or charset that is not supported.',
      };
    default:
      if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
        return { code: 'bad_request', title: 'Bad request', detail: type, status };
      }
      return undefined;
  }
}
