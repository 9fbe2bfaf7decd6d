import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/access-policy.decorator.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { MatchingService, type Candidate } from './matching.service.js';

// A case's identity work: registry candidates, matches, verification, consent.
@ApiTags('identity')
@Controller('inquiries/:id')
export class IdentityController {
  constructor(private readonly matching: MatchingService) {}

  @Get('match-candidates')
  @Roles('caseworker', 'supervisor')
  candidates(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<Candidate[]> {
    return this.matching.forInquiry(inquiryId, actor);
  }
}
