import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import type { Callback } from './callback.entity.js';
import { CallbacksService } from './callbacks.service.js';
import {
  CancelCallbackDto,
  CompleteCallbackDto,
  MissCallbackDto,
} from './dto/close-callback.dto.js';
import {
  ListDueCallbacksQuery,
  ListOverdueCallbacksQuery,
} from './dto/list-overdue-callbacks.query.js';
import {
  OverdueCallbacksService,
  type DueCallbackPage,
  type OverdueCallbackPage,
} from './overdue-callbacks.service.js';

// One callback, whatever its inquiry; and the promises nobody kept.
@ApiTags('contacts')
@Controller('callbacks')
export class CallbacksController {
  constructor(
    private readonly callbacks: CallbacksService,
    private readonly overdue: OverdueCallbacksService,
  ) {}

  @Get('due')
  @Roles('intake', 'caseworker', 'supervisor')
  listDue(
    @Query() query: ListDueCallbacksQuery,
    @Req() req: HomecomingRequest,
  ): Promise<DueCallbackPage> {
    return this.overdue.due(query, req.staff!.id);
  }

  @Get('overdue')
  @Roles('intake', 'caseworker', 'supervisor')
  listOverdue(
    @Query() query: ListOverdueCallbacksQuery,
    @Req() req: HomecomingRequest,
  ): Promise<OverdueCallbackPage> {
    return this.overdue.list(query, req.staff!.id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  complete(
    @Param('id', ParseUUIDPipe) callbackId: string,
    @Body() dto: CompleteCallbackDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Callback> {
    return this.callbacks.close({
      callbackId,
      to: 'done',
      version: dto.version,
      callId: dto.callId,
      note: dto.notes,
      staffId: req.staff!.id,
      actor,
    });
  }

  @Post(':id/miss')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  miss(
    @Param('id', ParseUUIDPipe) callbackId: string,
    @Body() dto: MissCallbackDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Callback> {
    return this.callbacks.close({
      callbackId,
      to: 'missed',
      version: dto.version,
      note: dto.notes,
      staffId: req.staff!.id,
      actor,
    });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('intake', 'caseworker', 'supervisor')
  cancel(
    @Param('id', ParseUUIDPipe) callbackId: string,
    @Body() dto: CancelCallbackDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ): Promise<Callback> {
    return this.callbacks.close({
      callbackId,
      to: 'cancelled',
      version: dto.version,
      note: dto.reason,
      staffId: req.staff!.id,
      actor,
    });
  }
}
