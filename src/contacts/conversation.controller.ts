import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import { ConversationService } from './conversation.service.js';
import { RecordMessageDto } from './dto/record-message.dto.js';

// A person's conversation across their inquiries, and visits and letters on paper recorded on one.
@ApiTags('contacts')
@Controller()
export class ConversationController {
  constructor(private readonly conversation: ConversationService) {}

  @Get('inquirers/:id/conversation')
  @Reads('case')
  of(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.conversation.of(id, actor, req.staff!.roles);
  }

  @Post('inquiries/:id/messages')
  @Roles('intake', 'caseworker', 'supervisor')
  record(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: RecordMessageDto,
    @Req() req: HomecomingRequest,
    @Actor() actor: ActorContext,
  ) {
    return this.conversation.record({ ...dto, inquiryId, staffId: req.staff!.id, actor });
  }
}
