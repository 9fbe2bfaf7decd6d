import { RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import { problemTypeFor } from '../exceptions/error-codes.js';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsFilter } from '../filters/problem-details.filter.js';
import { createHttpLogger } from '../logging/logger.js';
import { createValidationPipe } from '../pipes/validation.pipe.js';
import { httpMetrics } from '../../metrics/http-metrics.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { serveAdminUi } from './admin-ui.js';
import { INTAKE_ROUTE, isFileRoute, pathOf, refuseLargeBodies } from './request-body.js';
import type { IncomingMessage } from 'node:http';

export const API_PREFIX = 'api';

// Everything about the HTTP pipeline, in the order requests meet it. main.ts and the integration
// tests both call this, so the tests exercise the pipeline production runs. The app must be
// created with `bodyParser: false` (the parser is mounted here, after the access logger) and with
// `logger: createNestLogger(logger)`.
// A registry of 100,000 prisoners is ~20 MB of CSV.
export const REGISTRY_FILE_MAX_BYTES = 64 * 1024 * 1024;

// A worker process (ROLE=worker) answers its health and metrics and nothing else, so a load
// balancer pointed at it by mistake gets 404s rather than a second API.
const WORKER_ROUTES = /^\/(health|metrics)(\/|$|\?)/;

function workerOnlyRoutes(req: Request, res: Response, next: NextFunction): void {
  if (WORKER_ROUTES.test(req.url)) return next();
  res
    .status(404)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      JSON.stringify({
        type: problemTypeFor('route_not_found'),
        title: 'No such route',
        status: 404,
        detail:
          'This process runs the background jobs only (ROLE=worker); the API is served elsewhere.',
        instance: req.path,
        code: 'route_not_found',
      }),
    );
}

export function configureApp(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  app.disable('x-powered-by');
  if (config.http.trustProxy !== false) app.set('trust proxy', config.http.trustProxy);

  app.use(createHttpLogger(logger));
  app.use(httpMetrics(app.get(Metrics)));
  app.use(helmet());
  if (!config.role.api) app.use(workerOnlyRoutes);
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: [...config.http.corsOrigins], credentials: true, maxAge: 600 });
  }
  // Bodies: a declared length over the route's limit is refused before anything is read; JSON
  // up to BODY_LIMIT everywhere but the registry import (whose handler reads its own file once
  // sign-in and roles are checked); raw mail only on the intake webhook, whose signature covers
  // the bytes (charsets are the parser's business). Other content types are never read.
  app.use(
    refuseLargeBodies({
      body: sizeInBytes(config.http.bodyLimit),
      intake: config.intake.maxBytes,
      registry: REGISTRY_FILE_MAX_BYTES,
    }),
  );
  app.useBodyParser('json', {
    limit: config.http.bodyLimit,
    type: (req: IncomingMessage) =>
      !isFileRoute(req) &&
      /^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? ''),
  });
  app.useBodyParser('raw', {
    limit: config.intake.maxBytes,
    type: (req: IncomingMessage) =>
      pathOf(req) === INTAKE_ROUTE && /^message\/rfc822\b/i.test(req.headers['content-type'] ?? ''),
  });
  serveAdminUi(app, logger);

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/{*path}', method: RequestMethod.ALL },
      { path: 'metrics', method: RequestMethod.GET },
      // The families' status page: a plain address to give out, outside the API.
      { path: 'status/:token', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(logger));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('homecoming API')
      .setDescription(
        'Case tracker for inquiries from families of prisoners of war. Errors are RFC 9457 ' +
          'application/problem+json documents with a stable `code`.',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, {
    jsonDocumentUrl: `${API_PREFIX}/docs-json`,
  });
}

// "1mb", "512kb", "100b" (BODY_LIMIT's format) in bytes.
function sizeInBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)$/i.exec(limit.trim());
  if (!m) return 1024 * 1024;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2].toLowerCase() as 'b' | 'kb' | 'mb'];
  return Math.floor(Number(m[1]) * unit);
}
