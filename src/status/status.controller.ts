import {
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
} from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { Public, Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext, type HomecomingRequest } from '../common/request-context.js';
import { renderStatusPage } from './status-page.html.js';
import type { StatusLink } from './status-link.entity.js';
import { StatusLinksService } from './status-links.service.js';

// The family's page (outside /api): no sign-in, only the link's token. A wrong, expired or
// revoked token gets the same 404 as one that never existed. Rate limited (StatusRateLimit).
@Controller('status')
export class StatusPageController {
  constructor(private readonly links: StatusLinksService) {}

  @Get(':token')
  @Public()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('X-Robots-Tag', 'noindex, nofollow')
  async page(@Param('token') token: string, @Req() req: HomecomingRequest): Promise<string> {
    const view = await this.links.view(token, req.ip);
    if (!view) throw new NotFoundException();
    return renderStatusPage(view);
  }
}

// Staff: a new link for a case (the old ones stop working), the list (without tokens), revoking.
@ApiTags('status')
@Controller('inquiries/:id/status-links')
export class StatusLinksController {
  constructor(private readonly links: StatusLinksService) {}

  @Get()
  @Reads('status_links')
  list(@Param('id', ParseUUIDPipe) inquiryId: string): Promise<StatusLink[]> {
    return this.links.list(inquiryId);
  }

  @Post()
  @Roles('intake', 'caseworker', 'supervisor')
  async issue(@Param('id', ParseUUIDPipe) inquiryId: string, @Actor() actor: ActorContext) {
    const issued = await this.links.issueForStaff(inquiryId, actor);
    return { id: issued.id, token: issued.token, url: issued.url, expiresAt: issued.expiresAt };
  }

  @Post('revoke')
  @HttpCode(200)
  @Roles('caseworker', 'supervisor')
  async revoke(@Param('id', ParseUUIDPipe) inquiryId: string, @Actor() actor: ActorContext) {
    return { revoked: await this.links.revoke(inquiryId, actor) };
  }
}
