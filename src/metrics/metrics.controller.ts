import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/decorators/access-policy.decorator.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.service.js';

// Prometheus scrapes GET /metrics with `Authorization: Bearer <METRICS_TOKEN>`. No staff session
// (a scraper is not a person); without METRICS_TOKEN the route answers 503 and says so.
@ApiTags('health')
@ApiBearerAuth()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Prometheus text exposition format.' })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const token = this.config.metrics.token;
    if (!token) {
      throw new DomainException('service_unavailable', 'Metrics are not configured', {
        detail: 'Set METRICS_TOKEN to serve /metrics.',
      });
    }
    const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      throw new DomainException('unauthorized', 'Metrics token refused', {
        detail: 'Send Authorization: Bearer <METRICS_TOKEN>.',
      });
    }
    const body = await this.metrics.scrape();
    res.status(200).type(this.metrics.contentType).send(body);
  }
}

// Compared as digests: equal length whatever was sent, in constant time.
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
