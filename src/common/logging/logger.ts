import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config.js';
import {
  isSensitiveKey,
  REDACTED,
  redactHeaders,
  redactValue,
  scrubText,
  scrubUrl,
} from './redaction.util.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Every log line goes through here: JSON to stdout (pretty in development), with credentials
// and personal data redacted however they arrive — as keys, in messages, in errors, in URLs.
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    base: { service: 'homecoming' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactValue(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, scrubArguments(args) as Parameters<typeof method>);
      },
    },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: serializeRequest,
      res: serializeResponse,
    },
  };
  if (destination) return pino(options, destination);
  if (config.log.pretty) {
    return pino(options, pino.transport({ target: 'pino-pretty', options: { singleLine: true } }));
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

// Messages are scrubbed here. When a call gives only an error (`logger.error(err)`, or
// `{ err }` as nestjs-pino does), pino would take the raw err.message as the message: give it the
// scrubbed one explicitly.
function scrubArguments(given: unknown[]): unknown[] {
  // nestjs-pino passes `(obj, undefined)` when there is no message.
  const args = given.at(-1) === undefined ? given.slice(0, -1) : given;
  const [first] = args;
  if (args.length === 1 && first instanceof Error)
    return [{ err: first }, scrubText(first.message)];
  if (args.length === 1 && first !== null && typeof first === 'object') {
    const { err, msg } = first as { err?: unknown; msg?: unknown };
    if (typeof msg === 'string') return [{ ...first, msg: undefined }, scrubText(msg)];
    if (err instanceof Error) return [first, scrubText(err.message)];
  }
  return args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
}

// Nest's own messages (start-up, TypeORM connection retries) through the same root logger, from
// the first line on, so that even a failed start logs JSON only.
export function createNestLogger(root: Logger): LoggerService {
  const params = nestPinoParams(root);
  return new NestPinoLogger(new PinoLogger(params), params);
}

// nestjs-pino wraps the root logger in a pino-http child of its own; it must get our serializers,
// or errors logged through Nest would bypass redaction.
export function nestPinoParams(root: Logger) {
  return { pinoHttp: { logger: root, serializers: SERIALIZERS }, useExisting: true as const };
}

// Access log and request id: mounted as the very first middleware, so even a request whose body
// cannot be parsed is logged and answered with its X-Request-Id.
export function createHttpLogger(root: Logger): HttpLogger {
  return pinoHttp({
    logger: root,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel(_req, res, error) {
      // 503: a dependency away (the database restarting), said once by whoever answered it.
      if (res.statusCode === 503) return 'warn';
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    customSuccessMessage: (req, res) =>
      `${req.method} ${scrubUrl(req.url ?? '')} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${scrubUrl(req.url ?? '')} ${res.statusCode}`,
    serializers: SERIALIZERS,
  });
}

// Receives an Error, or (through pino-http) the object pino's own serializer made of one, whose
// prototype is not plain: copy its own fields so redaction reaches message, stack and causes.
// Fields of an error that describe the failure, not a person (an error's `name` is its class, its
// `address` a network peer): kept, only scrubbed. Everything else is redacted as usual.
const ERROR_FIELDS = new Set(['type', 'name', 'code', 'syscall', 'errno', 'address', 'port']);

function serializeError(error: unknown) {
  const serialized: unknown = error instanceof Error ? stdSerializers.err(error) : error;
  if (serialized === null || typeof serialized !== 'object') return redactValue(serialized);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (ERROR_FIELDS.has(key)) out[key] = typeof value === 'string' ? scrubText(value) : value;
    else out[key] = value != null && isSensitiveKey(key) ? REDACTED : redactValue(value);
  }
  return out;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
  raw?: IncomingMessage;
}

const SERIALIZERS = { req: serializeRequest, res: serializeResponse, err: serializeError };

function serializeRequest(req: SerializedRequest) {
  const url = (req.raw as { originalUrl?: string } | undefined)?.originalUrl ?? req.url ?? '';
  return {
    id: req.id,
    method: req.method,
    url: scrubUrl(url),
    headers: redactHeaders(req.headers ?? {}),
    remoteAddress: req.remoteAddress,
  };
}

function serializeResponse(res: { statusCode?: number; headers?: Record<string, unknown> }) {
  return {
    statusCode: res.statusCode,
    headers: redactHeaders((res.headers ?? {}) as Record<string, string>),
  };
}
