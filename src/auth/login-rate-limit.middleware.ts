import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { AppConfig } from '../config/app-config.js';

// Sign-in attempts per client IP per minute, counted in this process (a per-account lockout in
// the database covers what spreads across replicas). Refusals go through the problem filter.
@Injectable()
export class LoginRateLimitMiddleware implements NestMiddleware {
  private readonly limiter: RateLimitRequestHandler;

  constructor(config: AppConfig) {
    this.limiter = rateLimit({
      windowMs: 60_000,
      limit: config.auth.loginRateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next, options) =>
        next(
          new DomainException('too_many_requests', 'Too many sign-in attempts', {
            detail: `Wait a minute before trying again (at most ${String(options.limit)} a minute).`,
          }),
        ),
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    void this.limiter(req, res, next);
  }
}
