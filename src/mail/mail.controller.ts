import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { CancelOutboxDto, ComposeEmailDto, ListOutboxQuery } from './dto/mail.dto.js';
import { MailDeliveryService } from './mail-delivery.service.js';

@ApiTags('mail')
@Controller()
export class MailController {
  constructor(private readonly mail: MailDeliveryService) {}

  // A caseworker writes to the family from the case.
  @Post('inquiries/:id/emails')
  @HttpCode(202)
  @Roles('intake', 'caseworker', 'supervisor')
  compose(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ComposeEmailDto,
    @Actor() actor: ActorContext,
  ) {
    return this.mail.compose(id, dto, actor);
  }

  @Get('outbox')
  @Reads('letters')
  list(@Query() query: ListOutboxQuery) {
    return this.mail.list(query);
  }

  @Post('outbox/:id/retry')
  @HttpCode(200)
  @Roles('supervisor')
  retry(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.mail.retry(id, actor);
  }

  @Post('outbox/:id/cancel')
  @HttpCode(200)
  @Roles('supervisor')
  cancel(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CancelOutboxDto,
    @Actor() actor: ActorContext,
  ) {
    return this.mail.cancel(id, actor, dto.reason);
  }
}
