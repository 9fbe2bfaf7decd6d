import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { ErasureDto } from './dto/erasure.dto.js';
import { SubjectAccessService } from './subject-access.service.js';

// A family's rights over their data: a copy (zip) and erasure once their cases have ended.
@ApiTags('privacy')
@Controller('inquirers/:id')
export class PrivacyController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  @Get('export')
  @Reads('subject_access')
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'subject.json with everything held, emails/ and attachments/.' })
  async export(
    @Param('id', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
    @Res() res: Response,
  ): Promise<void> {
    const { filename, zip } = await this.subjectAccess.export(id, actor);
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    zip.pipe(res);
  }

  @Post('erasure')
  @HttpCode(200)
  @Roles('supervisor')
  erase(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ErasureDto,
    @Actor() actor: ActorContext,
  ) {
    return this.subjectAccess.erase(id, dto.reason, actor);
  }
}
