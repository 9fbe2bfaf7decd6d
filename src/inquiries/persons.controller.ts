import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import {
  PersonMergeDto,
  PersonMergeUndoDto,
  PersonSplitDto,
  SearchLinkDto,
  SearchUnlinkDto,
} from './dto/persons.dto.js';
import { PersonsService } from './persons.service.js';
import { SearchesService } from './searches.service.js';

// A person's page, and supervisors making two records of one person one (reversibly) or taking
// one apart.
@ApiTags('persons')
@Controller()
export class PersonsController {
  constructor(
    private readonly persons: PersonsService,
    private readonly searches: SearchesService,
  ) {}

  @Get('inquirers/:id')
  @Reads('case')
  page(@Param('id', ParseUUIDPipe) id: string, @Actor() actor: ActorContext) {
    return this.persons.page(id, actor);
  }

  @Post('inquirers/:id/merges')
  @Roles('supervisor')
  merge(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: PersonMergeDto,
    @Actor() actor: ActorContext,
  ) {
    return this.persons.merge({
      survivorId: id,
      absorbedId: dto.absorbedId,
      reason: dto.reason,
      actor,
    });
  }

  @Post('inquirers/:id/split')
  @Roles('supervisor')
  split(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: PersonSplitDto,
    @Actor() actor: ActorContext,
  ) {
    return this.persons.split({ personId: id, ...dto, actor });
  }

  @Post('person-merges/:mergeId/undo')
  @HttpCode(200)
  @Roles('supervisor')
  undo(
    @Param('mergeId', ParseUUIDPipe) mergeId: string,
    @Body() dto: PersonMergeUndoDto,
    @Actor() actor: ActorContext,
  ) {
    return this.persons.undo(mergeId, dto.reason, actor);
  }

  @Post('person-merges/:mergeId/confirm')
  @HttpCode(200)
  @Roles('supervisor')
  confirm(@Param('mergeId', ParseUUIDPipe) mergeId: string, @Actor() actor: ActorContext) {
    return this.persons.confirm(mergeId, actor);
  }

  @Post('inquiries/:id/search')
  @HttpCode(200)
  @Roles('caseworker', 'supervisor')
  link(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SearchLinkDto,
    @Actor() actor: ActorContext,
  ) {
    return this.searches.link({ inquiryId: id, ...dto, actor });
  }

  @Post('inquiries/:id/search/unlink')
  @HttpCode(200)
  @Roles('caseworker', 'supervisor')
  unlink(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SearchUnlinkDto,
    @Actor() actor: ActorContext,
  ) {
    return this.searches.unlink({ inquiryId: id, ...dto, actor });
  }
}
