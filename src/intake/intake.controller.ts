import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Public, Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { PageQuery } from '../common/dto/page.query.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { AttachReviewedDto, DismissReviewedDto } from './dto/review.dto.js';
import { IntakeQuarantineService } from './intake-quarantine.service.js';
import { IntakeReviewService } from './intake-review.service.js';
import { IntakeService } from './intake.service.js';

export const SIGNATURE_HEADER = 'x-homecoming-signature';
export const TIMESTAMP_HEADER = 'x-homecoming-timestamp';

// hex HMAC-SHA256(secret, "<timestamp>.<raw message>"), sent as "sha256=<hex>".
export function intakeSignature(secret: string, timestamp: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

@ApiTags('intake')
@Controller('intake')
export class IntakeController {
  constructor(
    private readonly intake: IntakeService,
    private readonly quarantine: IntakeQuarantineService,
    private readonly reviews: IntakeReviewService,
    private readonly config: AppConfig,
  ) {}

  // For an MTA pipe or a mail provider: the raw RFC 5322 message as the body
  // (Content-Type: message/rfc822), signed with the shared secret. 202 with the intake id; the
  // same message again answers with the same id and `duplicate: true`.
  @Post('email')
  @HttpCode(202)
  @Public()
  async receive(
    @Req() req: HomecomingRequest & { body: unknown },
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Headers(TIMESTAMP_HEADER) timestamp: string | undefined,
  ) {
    const secret = this.config.intake.webhookSecret;
    if (!secret) {
      throw new DomainException('service_unavailable', 'The intake webhook is not configured', {
        detail: 'Set INTAKE_WEBHOOK_SECRET to take mail by webhook.',
      });
    }
    if (!Buffer.isBuffer(req.body)) {
      throw new DomainException('unsupported_media_type', 'Send the raw message', {
        detail: 'The body must be the raw RFC 5322 message with Content-Type: message/rfc822.',
      });
    }
    if (req.body.length === 0) {
      throw new ValidationFailedException([
        { field: 'body', rule: 'required', message: 'the raw message is empty' },
      ]);
    }
    const seconds = Number(timestamp);
    if (!timestamp || !/^\d{9,12}$/.test(timestamp) || !Number.isFinite(seconds)) {
      throw unauthorized(`${TIMESTAMP_HEADER} must be the signing time in Unix seconds.`);
    }
    if (Math.abs(Date.now() - seconds * 1000) > this.config.intake.replayWindowMs) {
      throw unauthorized(`${TIMESTAMP_HEADER} is outside the accepted window: sign it again.`);
    }
    const expected = Buffer.from(intakeSignature(secret, timestamp, req.body));
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized(`${SIGNATURE_HEADER} does not match the message.`);
    }
    return this.intake.receive(req.body, 'webhook');
  }

  // Letters waiting for a person (IntakeReviewService).
  @Get('review')
  @Reads('inbound_mail')
  review(@Query() query: PageQuery, @Actor() actor: ActorContext) {
    return this.reviews.list(query, actor);
  }

  @Post('review/:id/open')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  openReviewed(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.reviews.open(id, actor);
  }

  @Post('review/:id/attach')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  attachReviewed(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AttachReviewedDto,
    @Actor() actor: ActorContext,
  ) {
    return this.reviews.attach(id, body.reference, actor);
  }

  @Post('review/:id/dismiss')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  dismissReviewed(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DismissReviewedDto,
    @Actor() actor: ActorContext,
  ) {
    return this.reviews.dismiss(id, body.reason, actor);
  }

  @Get('quarantine')
  @Roles('supervisor')
  list(@Query() query: PageQuery) {
    return this.quarantine.list(query);
  }

  @Post(':id/reprocess')
  @HttpCode(200)
  @Roles('supervisor')
  reprocess(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.quarantine.reprocess(id, actor);
  }

  @Post(':id/discard')
  @HttpCode(200)
  @Roles('supervisor')
  discard(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.quarantine.discard(id, actor);
  }
}

function unauthorized(detail: string) {
  return new DomainException('unauthorized', 'Signature refused', { detail });
}
