import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { AppConfig } from '../../config/app-config.js';
import { redactHeaders, redactValue, scrubText, scrubUrl } from './redaction.util.js';

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
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
        return method.apply(this, scrubbed as Parameters<typeof method>);
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
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    customSuccessMessage: (req, res) =>
      `${req.method} ${scrubUrl(req.url ?? '')} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${scrubUrl(req.url ?? '')} ${res.statusCode}`,
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
  });
}

// Receives an Error, or (through pino-http) the object pino's own serializer made of one, whose
// prototype is not plain: copy its own fields so redaction reaches message, stack and causes.
function serializeError(error: unknown) {
  const serialized: unknown = error instanceof Error ? stdSerializers.err(error) : error;
  if (serialized === null || typeof serialized !== 'object') return redactValue(serialized);
  return redactValue({ ...(serialized as Record<string, unknown>) });
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
  raw?: IncomingMessage;
}

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
