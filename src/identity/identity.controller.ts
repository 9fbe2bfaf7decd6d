import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Reads, Roles } from '../common/decorators/access-policy.decorator.js';
import { ValidationFailedException } from '../common/exceptions/domain.exception.js';
import { Actor, type ActorContext } from '../common/request-context.js';
import { ConsentService } from './consent.service.js';
import {
  CountersignMatchDto,
  CountersignVerificationDto,
  ProposeMatchDto,
  RecordConsentDto,
  RecordVerificationDto,
  RejectMatchDto,
} from './dto/identity.dto.js';
import { CountersignReviewService, type CountersignReview } from './countersign-review.service.js';
import type { InquiryMatch } from './inquiry-match.entity.js';
import { FraudSignalsService, type FraudSignal } from './fraud-signals.service.js';
import { MatchesService, type AwaitingCountersignature } from './matches.service.js';
import { MatchingService, type Candidate } from './matching.service.js';
import type { PrisonerConsent } from './prisoner-consent.entity.js';
import { VerificationService, type VerificationView } from './verification.service.js';

// A case's identity work: registry candidates, matches, the inquirer's verification, consent.
@ApiTags('identity')
@Controller('inquiries/:id')
export class IdentityController {
  constructor(
    private readonly matching: MatchingService,
    private readonly matches: MatchesService,
    private readonly verifications: VerificationService,
    private readonly consents: ConsentService,
    private readonly fraudSignals: FraudSignalsService,
  ) {}

  @Get('match-candidates')
  @Reads('registry')
  candidates(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<Candidate[]> {
    return this.matching.forInquiry(inquiryId, actor);
  }

  @Get('signals')
  @Reads('case')
  signals(@Param('id', ParseUUIDPipe) inquiryId: string): Promise<FraudSignal[]> {
    return this.fraudSignals.forInquiry(inquiryId);
  }

  @Get('matches')
  @Reads('matches')
  listMatches(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<InquiryMatch[]> {
    return this.matches.list(inquiryId, actor);
  }

  @Post('matches')
  @Roles('caseworker', 'supervisor')
  propose(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: ProposeMatchDto,
    @Actor() actor: ActorContext,
  ): Promise<InquiryMatch> {
    return this.matches.propose(inquiryId, dto.prisonerId, actor);
  }

  @Get('verifications')
  @Reads('verifications')
  listVerifications(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<VerificationView[]> {
    return this.verifications.list(inquiryId, actor);
  }

  @Post('verifications')
  @Roles('caseworker', 'supervisor')
  verify(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: RecordVerificationDto,
    @Actor() actor: ActorContext,
  ): Promise<VerificationView> {
    return this.verifications.record(inquiryId, dto, actor);
  }

  @Get('consents')
  @Reads('consents')
  listConsents(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Actor() actor: ActorContext,
  ): Promise<PrisonerConsent[]> {
    return this.consents.list(inquiryId, actor);
  }

  @Post('consents')
  @Roles('caseworker', 'supervisor')
  recordConsent(
    @Param('id', ParseUUIDPipe) inquiryId: string,
    @Body() dto: RecordConsentDto,
    @Actor() actor: ActorContext,
  ): Promise<PrisonerConsent> {
    if (dto.interviewedOn > new Date().toISOString().slice(0, 10)) {
      throw new ValidationFailedException([
        { field: 'interviewedOn', message: 'must not be in the future' },
      ]);
    }
    return this.consents.record(inquiryId, dto, actor);
  }
}

// Second signatures: matches and verifications a different staff member must countersign, after
// seeing what they sign side by side (the review), and naming it (the prisoner, the outcome).
@ApiTags('identity')
@Controller()
export class CountersignController {
  constructor(
    private readonly matches: MatchesService,
    private readonly verifications: VerificationService,
    private readonly reviews: CountersignReviewService,
  ) {}

  @Get('matches/:matchId/review')
  @Roles('supervisor')
  reviewMatch(
    @Param('matchId', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
  ): Promise<CountersignReview> {
    return this.reviews.ofMatch(id, actor);
  }

  @Get('verifications/:verificationId/review')
  @Roles('supervisor')
  reviewVerification(
    @Param('verificationId', ParseUUIDPipe) id: string,
    @Actor() actor: ActorContext,
  ): Promise<CountersignReview> {
    return this.reviews.ofVerification(id, actor);
  }

  @Get('identity/awaiting-countersignature')
  @Roles('supervisor')
  awaiting(@Actor() actor: ActorContext): Promise<AwaitingCountersignature[]> {
    return this.matches.awaitingCountersignature(actor);
  }

  @Post('matches/:matchId/countersign')
  @HttpCode(200)
  @Roles('supervisor')
  countersignMatch(
    @Param('matchId', ParseUUIDPipe) id: string,
    @Body() dto: CountersignMatchDto,
    @Actor() actor: ActorContext,
  ): Promise<InquiryMatch> {
    return this.matches.countersign(id, dto.prisonerId, actor);
  }

  @Post('matches/:matchId/reject')
  @HttpCode(200)
  @Roles('caseworker', 'supervisor')
  rejectMatch(
    @Param('matchId', ParseUUIDPipe) id: string,
    @Body() dto: RejectMatchDto,
    @Actor() actor: ActorContext,
  ): Promise<InquiryMatch> {
    return this.matches.reject(id, dto.reason, actor);
  }

  @Post('verifications/:verificationId/countersign')
  @HttpCode(200)
  @Roles('supervisor')
  countersignVerification(
    @Param('verificationId', ParseUUIDPipe) id: string,
    @Body() dto: CountersignVerificationDto,
    @Actor() actor: ActorContext,
  ): Promise<VerificationView> {
    return this.verifications.countersign(id, dto.outcome, actor);
  }
}
