import { Controller, Get, Param, ParseUUIDPipe, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { InboundMessagesService } from './inbound-messages.service.js';

@ApiTags('intake')
@Controller()
export class InboundMessagesController {
  constructor(private readonly messages: InboundMessagesService) {}

  @Get('inquiries/:id/inbound-emails')
  @Reads('inbound_mail')
  list(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.messages.forInquiry(id, actor);
  }

  // Always as a download, never rendered in the browser: the content is the sender's.
  @Get('inbound-attachments/:id')
  @Roles('intake', 'caseworker', 'supervisor')
  async download(
    @Param('id', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.messages.attachment(id, actor);
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(file.content, {
      type: file.contentType,
      length: file.content.length,
      disposition: `attachment; filename="${asciiName(file.filename)}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    });
  }
}

const asciiName = (name: string) => name.replace(/[^\x20-\x7e]|["\\]/g, '_');
