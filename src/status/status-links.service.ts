import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { AppConfig } from '../config/app-config.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';
import type { FamilyStage, PageLanguage, StatusView } from './status-page.html.js';
import { StatusLink } from './status-link.entity.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const STATUS_ACTOR: ActorContext = { actor: 'system:status-page' };
const DISCLOSED_STAGES: Record<string, FamilyStage> = {
  detention_confirmed: 'detention_confirmed',
  travel_planning: 'travel_planning',
  in_transit: 'in_transit',
  handover_scheduled: 'handover_scheduled',
  handed_over: 'handed_over',
};

// What a family may be told of a case's status: closed, received, in progress — and the stage
// past detention confirmed only when the disclosure guard allows it. The status page and the
// subject access export both say no more than this.
export function familyStage(status: string, disclosed: boolean): FamilyStage {
  if (status.startsWith('closed_')) return 'closed';
  if (status === 'received') return 'received';
  return (disclosed && DISCLOSED_STAGES[status]) || 'in_progress';
}

// Links to the families' status page: issued (256 random bits, given once, stored as SHA-256),
// expiring, revocable, replaced by a new one; and what the page may show at the case's stage.
@Injectable()
export class StatusLinksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly guards: InquiryGuardRegistry,
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
      const exists = (await manager.query(`SELECT 1 FROM inquiry WHERE id = $1 FOR UPDATE`, [
        inquiryId,
      ])) as unknown[];
      if (exists.length === 0) throw new DomainException('not_found', 'No such inquiry');
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
      const view = await this.viewOf(manager, found.inquiry_id);
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

  private async viewOf(manager: EntityManager, inquiryId: string): Promise<StatusView> {
    const [c] = (await manager.query(
      `SELECT i.reference, i.status, r.preferred_language AS language,
         hc_full_name(p.surname, p.given_name, p.patronymic) AS sought
       FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       LEFT JOIN sought_person p ON p.inquiry_id = i.id
       WHERE i.id = $1`,
      [inquiryId],
    )) as { reference: string; status: string; language: string; sought: string | null }[];
    const language = (['uk', 'ru', 'en'].includes(c.language) ? c.language : 'ru') as PageLanguage;
    const disclosed = (
      await this.guards.check('detention_disclosure_allowed', {
        manager,
        inquiryId,
        actor: STATUS_ACTOR,
      })
    ).ok;
    const base = { reference: c.reference, language };
    const stage = familyStage(c.status, disclosed);
    if (stage === 'closed' || stage === 'received' || stage === 'in_progress') {
      return { ...base, stage };
    }
    const view: StatusView = { ...base, stage, soughtPersonName: c.sought ?? undefined };
    const zone = this.config.mail.timeZone;
    const format = (d: Date) =>
      new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : language, {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: zone,
      }).format(d);
    if (stage === 'travel_planning' || stage === 'in_transit') {
      const [plan] = (await manager.query(
        `SELECT c.name_${language} AS crossing, c.address, p.planned_crossing_at, p.escort_name,
           p.escort_phone
         FROM travel_plan p JOIN border_crossing c ON c.id = p.crossing_point_id
         WHERE p.inquiry_id = $1`,
        [inquiryId],
      )) as {
        crossing: string;
        address: string;
        planned_crossing_at: Date | null;
        escort_name: string | null;
        escort_phone: string | null;
      }[];
      if (plan) {
        view.travel = {
          crossing: plan.crossing,
          address: plan.address,
          crossingAt: plan.planned_crossing_at ? format(plan.planned_crossing_at) : null,
          escort: plan.escort_name,
          escortPhone: plan.escort_phone,
        };
      }
    }
    if (stage === 'handover_scheduled') {
      const [a] = (await manager.query(
        `SELECT a.scheduled_at, l.name_${language} AS place, l.address,
           l.instructions_${language} AS instructions
         FROM handover_appointment a JOIN handover_location l ON l.id = a.location_id
         WHERE a.inquiry_id = $1 AND a.state = 'scheduled'`,
        [inquiryId],
      )) as { scheduled_at: Date; place: string; address: string; instructions: string }[];
      if (a) {
        view.handover = {
          when: format(a.scheduled_at),
          place: a.place,
          address: a.address,
          instructions: a.instructions,
        };
      }
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
