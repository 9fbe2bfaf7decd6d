import { Injectable } from '@nestjs/common';
import { lockForChange } from '../inquiries/inquiry-lock.util.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { DisclosureGate } from '../disclosure/disclosure.gate.js';
import type { FamilyView } from '../disclosure/family-view.js';
import type { StatusView } from './status-page.html.js';
import { StatusLink } from './status-link.entity.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const STATUS_ACTOR: ActorContext = { actor: 'system:status-page' };

// Links to the families' status page: issued (256 random bits, given once, stored as SHA-256),
// expiring, revocable, replaced by a new one; and what the page may show at the case's stage.
@Injectable()
export class StatusLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly gate: DisclosureGate,
  ) {}

  // A new link for the case; the ones before it stop working. The token is in the answer only.
  async issue(
    manager: EntityManager,
    inquiryId: string,
    issuedBy: ActorContext,
  ): Promise<{ id: string; token: string; url: string | null; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    await this.revokeAll(manager, inquiryId, issuedBy.actor);
    const repository = manager.getRepository(StatusLink);
    const saved = await repository.save(
      repository.create({
        inquiryId,
        tokenSha256: sha256(token),
        issuedBy: issuedBy.actor,
        expiresAt: new Date(Date.now() + this.config.status.linkTtlDays * 86_400_000),
      }),
    );
    await this.audit.appendInTransaction(manager, {
      action: 'status_link.issued',
      actor: issuedBy,
      entityType: 'status_link',
      entityId: saved.id,
      inquiryId,
      after: { expiresAt: saved.expiresAt.toISOString() },
    });
    return { id: saved.id, token, url: this.urlOf(token), expiresAt: saved.expiresAt };
  }

  urlOf(token: string): string | null {
    return this.config.status.publicBaseUrl
      ? `${this.config.status.publicBaseUrl}/status/${token}`
      : null;
  }

  issueForStaff(inquiryId: string, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      await lockForChange(manager, inquiryId);
      return this.issue(manager, inquiryId, actor);
    });
  }

  list(inquiryId: string): Promise<StatusLink[]> {
    return this.dataSource
      .getRepository(StatusLink)
      .find({ where: { inquiryId }, order: { issuedAt: 'DESC' } });
  }

  revoke(inquiryId: string, actor: ActorContext): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const revoked = await this.revokeAll(manager, inquiryId, actor.actor);
      await this.audit.appendInTransaction(manager, {
        action: 'status_link.revoked',
        actor,
        entityType: 'inquiry',
        entityId: inquiryId,
        inquiryId,
        after: { revoked },
      });
      return revoked;
    });
  }

  // The page for a token, or undefined (wrong, expired, revoked: the caller answers the same 404
  // for all). Every view is audited on the case.
  async view(token: string, ip: string | undefined): Promise<StatusView | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    return this.dataSource.transaction(async (manager) => {
      const [link] = (await manager.query(
        `UPDATE status_link SET last_viewed_at = now()
         WHERE token_sha256 = $1 AND revoked_at IS NULL AND expires_at > now()
         RETURNING id, inquiry_id`,
        [sha256(token)],
      )) as [{ id: string; inquiry_id: string }[], number];
      const found = link[0];
      if (!found) return undefined;
      const family = await this.gate.view(manager, found.inquiry_id, 'page');
      if (!family) return undefined;
      const view = this.pageOf(family);
      await this.audit.appendInTransaction(manager, {
        action: 'status_link.viewed',
        actor: { ...STATUS_ACTOR, ip },
        entityType: 'status_link',
        entityId: found.id,
        inquiryId: found.inquiry_id,
        after: { stage: view.stage },
      });
      return view;
    });
  }

  // The page renders the family's view of the case (the disclosure gate's) and nothing else:
  // the man's name, the journey and the appointment only where the view carries them.
  private pageOf(family: FamilyView): StatusView {
    const format = (d: Date) =>
      new Intl.DateTimeFormat(family.language === 'en' ? 'en-GB' : family.language, {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: this.config.mail.timeZone,
      }).format(d);
    const view: StatusView = {
      reference: family.reference,
      language: family.language,
      stage: family.stage,
    };
    if (!family.disclosed || family.stage === 'closed') return view;
    view.soughtPersonName = family.soughtPersonName || undefined;
    const journey = family.journey;
    if (journey?.crossingName) {
      view.travel = {
        crossing: journey.crossingName,
        address: journey.crossingAddress ?? '',
        crossingAt: journey.crossingAt ? format(journey.crossingAt) : null,
        escort: journey.escortName,
        escortPhone: journey.escortPhone,
      };
    }
    if (family.appointment) {
      view.handover = {
        when: format(family.appointment.at),
        place: family.appointment.place,
        address: family.appointment.address,
        instructions: family.appointment.instructions,
      };
    }
    return view;
  }

  private async revokeAll(manager: EntityManager, inquiryId: string, by: string): Promise<number> {
    const result = await manager
      .getRepository(StatusLink)
      .update({ inquiryId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedBy: by });
    return result.affected ?? 0;
  }
}
