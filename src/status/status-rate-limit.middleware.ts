import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { DomainException } from '../common/exceptions/domain.exception.js';

// Status page views per client IP per minute (in this process): enough for a family, too few to
// guess tokens (which 256 random bits make hopeless anyway).
export const STATUS_VIEWS_PER_MINUTE = 30;

@Injectable()
export class StatusRateLimitMiddleware implements NestMiddleware {
  private readonly limiter: RateLimitRequestHandler = rateLimit({
    windowMs: 60_000,
    limit: STATUS_VIEWS_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new DomainException('too_many_requests', 'Too many requests', { detail: 'Wait a minute.' }),
      ),
  });

  use(req: Request, res: Response, next: NextFunction): void {
    void this.limiter(req, res, next);
  }
}
