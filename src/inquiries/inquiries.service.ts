import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { scopeOf } from '../audit/audit-actions.js';
import { caseKeys, revealDiff } from '../audit/audit-case-keys.js';
import { AuditService } from '../audit/audit.service.js';
import { mayRead } from '../common/decorators/access-policy.decorator.js';
import { ValidationFailedException } from '../common/exceptions/domain.exception.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import type { ActorContext } from '../common/request-context.js';
import { Inquirer, type Relationship } from '../people/inquirer.entity.js';
import {
  personSuggestions,
  type PersonMatch,
  type PersonSuggestion,
} from '../people/person-resolution.js';
import { SoughtPerson } from '../people/sought-person.entity.js';
import { checkBirthDate } from './birth-date.util.js';
import type { CreateInquiryDto } from './dto/create-inquiry.dto.js';
import type { ListInquiriesQuery } from './dto/list-inquiries.query.js';
import { InquiryStatusHistory } from './inquiry-status-history.entity.js';
import { notFound } from './inquiry-lock.util.js';
import { InquiryDuplicatesService, type DuplicateCandidate } from './inquiry-duplicates.service.js';
import { InquiryOpening } from './inquiry-opening.service.js';
import { Inquiry } from './inquiry.entity.js';

// The person who asks, as this inquiry sees them: their record and their relationship to the
// man this inquiry is about.
export type InquiryFamily = Inquirer & { relationship: Relationship };

export interface SearchSummary {
  id: string;
  inquiries: {
    id: string;
    reference: string;
    status: string;
    relationship: string;
    inquirerName: string;
    inquirerId: string;
  }[];
}

export interface InquiryDetail {
  inquiry: Inquiry;
  inquirer: InquiryFamily;
  soughtPerson: SoughtPerson | null;
  history: InquiryStatusHistory[];
  // Whose record the inquiry joined when it was opened (only in a create's answer), and persons
  // sharing a contact under another name, for a supervisor to look at.
  person: { match: PersonMatch | null; suggestions: PersonSuggestion[] };
  possibleDuplicates: DuplicateCandidate[];
  search: SearchSummary;
  // Newest first: status changes and every audited action on the case (reads excepted).
  timeline: TimelineEntry[];
}

export interface TimelineEntry {
  at: Date;
  kind: 'status' | 'audit';
  action: string;
  actor: string;
  detail: Record<string, unknown>;
}

export interface InquiryListItem {
  id: string;
  reference: string;
  status: string;
  channel: string;
  priority: string;
  assignedTo: string | null;
  inquirerName: string;
  soughtPersonName: string;
  createdAt: Date;
  version: number;
}

const SORTS: Record<string, string> = {
  createdAt: 'i.created_at',
  reference: 'i.reference',
  status: 'i.status',
};

@Injectable()
export class InquiriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly duplicates: InquiryDuplicatesService,
    private readonly opening: InquiryOpening,
  ) {}

  // Opens an inquiry in `received`: inquirer, sought person, first history row, audit event and
  // the acknowledgement to the family, in one transaction. With an Idempotency-Key, a retry gets
  // the first answer.
  async create(
    dto: CreateInquiryDto,
    actor: ActorContext,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: InquiryDetail; replayed: boolean }> {
    checkBirthDate(dto.soughtPerson);
    return this.dataSource.transaction(async (manager) => {
      const work = async () => ({
        status: 201,
        body: await this.createInTransaction(manager, dto, actor),
      });
      if (!idempotencyKey) return { ...(await work()), replayed: false };
      return this.idempotency.runOnceInTransaction(
        manager,
        {
          scope: actor.actor,
          key: idempotencyKey,
          method: 'POST',
          path: '/api/inquiries',
          body: dto,
        },
        work,
      );
    });
  }

  private async createInTransaction(
    manager: EntityManager,
    dto: CreateInquiryDto,
    actor: ActorContext,
  ): Promise<InquiryDetail> {
    const { relationship, ...person } = dto.inquirer;
    const opened = await this.opening.openInTransaction(manager, {
      person,
      relationship,
      channel: dto.channel,
      priority: dto.priority,
      soughtPerson: dto.soughtPerson,
      actor,
    });
    return {
      inquiry: opened.inquiry,
      inquirer: familyOf(opened.inquirer, opened.inquiry),
      soughtPerson: opened.soughtPerson,
      history: [opened.history],
      person: opened.person,
      possibleDuplicates: opened.possibleDuplicates,
      search: { id: opened.inquiry.searchId, inquiries: [] },
      timeline: [],
    };
  }

  // Everything about one inquiry that `roles` may read: the timeline shows an event only to the
  // roles of the part of the case it belongs to (the routes' own table). Reading it is recorded
  // on the reader's own stream.
  async detail(id: string, actor: ActorContext, roles: readonly string[]): Promise<InquiryDetail> {
    return this.dataSource.transaction(async (manager) => {
      const inquiry = await manager.getRepository(Inquiry).findOneBy({ id });
      if (!inquiry) throw notFound(id);
      // One after another: a transaction is one connection, which runs one query at a time.
      const inquirer = await manager
        .getRepository(Inquirer)
        .findOneByOrFail({ id: inquiry.inquirerId });
      const soughtPerson = await manager.getRepository(SoughtPerson).findOneBy({ inquiryId: id });
      const history = await manager
        .getRepository(InquiryStatusHistory)
        .find({ where: { inquiryId: id }, order: { enteredAt: 'DESC' } });
      const possibleDuplicates = await this.duplicates.findCandidates(id, manager);
      const search = await this.searchOf(manager, inquiry);
      const person = {
        match: null,
        suggestions: await personSuggestions(manager, inquirer),
      };
      const timeline = await this.timeline(manager, id, history, roles);
      await this.audit.recordReadInTransaction(manager, {
        action: 'inquiry.read',
        actor,
        inquiryId: id,
      });
      return {
        inquiry,
        inquirer: familyOf(inquirer, inquiry),
        soughtPerson,
        history,
        person,
        possibleDuplicates,
        search,
        timeline,
      };
    });
  }

  // The other relatives' inquiries about the same man.
  private async searchOf(manager: EntityManager, inquiry: Inquiry): Promise<SearchSummary> {
    const inquiries = (await manager.query(
      `SELECT i.id, i.reference, i.status, i.relationship, r.full_name AS "inquirerName",
         i.inquirer_id AS "inquirerId"
       FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id
       WHERE i.search_id = $1 AND i.id <> $2 ORDER BY i.created_at, i.id`,
      [inquiry.searchId, inquiry.id],
    )) as SearchSummary['inquiries'];
    return { id: inquiry.searchId, inquiries };
  }

  private async timeline(
    manager: EntityManager,
    id: string,
    history: InquiryStatusHistory[],
    roles: readonly string[],
  ): Promise<TimelineEntry[]> {
    // The case's own stream (reads are on their readers' streams); transitions are the history.
    const events = (
      await this.audit.caseEvents(manager, id, { except: 'inquiry.transition', limit: 500 })
    ).filter((e) => mayRead(roles, scopeOf(e.action)));
    const key = (await caseKeys(manager, [id])).get(id);
    const entries: TimelineEntry[] = [
      ...history.map((h) => ({
        at: h.enteredAt,
        kind: 'status' as const,
        action: h.transition ?? 'created',
        actor: h.actor,
        detail: { status: h.status, reason: h.reason },
      })),
      ...events.map((e) => ({
        at: e.occurred_at,
        kind: 'audit' as const,
        action: e.action,
        actor: e.actor,
        detail: revealDiff(e.diff, key),
      })),
    ];
    return entries.sort((a, b) => b.at.getTime() - a.at.getTime());
  }

  // A name search is recorded (which cases it showed, never what was typed) on the reader's own
  // stream.
  async list(
    query: ListInquiriesQuery,
    actor: ActorContext,
  ): Promise<{ items: InquiryListItem[]; total: number; page: number; pageSize: number }> {
    const staffId = actor.actor;
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status?.length) where.push(`i.status = ANY(${param(query.status)})`);
    if (query.channel) where.push(`i.channel = ${param(query.channel)}`);
    if (query.createdFrom) where.push(`i.created_at >= ${param(query.createdFrom)}`);
    if (query.createdTo) where.push(`i.created_at < ${param(query.createdTo)}`);
    if (query.overdueCallback !== undefined) {
      where.push(
        `${query.overdueCallback ? '' : 'NOT '}EXISTS (SELECT 1 FROM callback c WHERE c.inquiry_id = i.id
          AND c.state = 'open' AND c.due_at + c.window_minutes * interval '1 minute' < now())`,
      );
    }
    if (query.assignee === 'none') where.push('i.assigned_to IS NULL');
    else if (query.assignee === 'me') where.push(`i.assigned_to = ${param(staffId)}`);
    else if (query.assignee) {
      if (!/^[0-9a-f-]{36}$/i.test(query.assignee)) {
        throw new ValidationFailedException([
          {
            field: 'assignee',
            rule: 'assignee',
            message: 'assignee must be me, none or a staff user id',
          },
        ]);
      }
      where.push(`i.assigned_to = ${param(query.assignee)}`);
    }
    if (query.q) {
      // Case- and ё/е-insensitive in the script typed, and across scripts and spellings through
      // hc_name_key (Petrov finds Петров; migrations/1795941000000-NameSearchKey.ts). Each side
      // is a lookup in its table's trigram indexes (migrations/1795942000000-NameSearchIndexes.ts),
      // whose expressions these must match exactly.
      const pattern = param(
        `%${query.q
          .toLowerCase()
          .replaceAll('ё', 'е')
          .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
      const key = `'%' || hc_name_key(${param(query.q)}) || '%'`;
      const folded = (e: string) => `translate(lower(${e}), 'ё', 'е')`;
      const soughtName = 'hc_full_name(surname, given_name, patronymic)';
      where.push(
        `(i.inquirer_id IN (SELECT id FROM inquirer
            WHERE ${folded('full_name')} LIKE ${pattern} OR hc_name_key(full_name) LIKE ${key})
          OR i.id IN (SELECT inquiry_id FROM sought_person
            WHERE ${folded(soughtName)} LIKE ${pattern} OR hc_name_key(${soughtName}) LIKE ${key}))`,
      );
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const from = `FROM inquiry i JOIN inquirer r ON r.id = i.inquirer_id LEFT JOIN sought_person p ON p.inquiry_id = i.id ${filter}`;
    const descending = query.sort.startsWith('-');
    const order = `${SORTS[query.sort.replace('-', '')]} ${descending ? 'DESC' : 'ASC'}, i.id`;
    const rows = (await this.dataSource.query(
      `SELECT i.id, i.reference, i.status, i.channel, i.priority, i.assigned_to AS "assignedTo",
         r.full_name AS "inquirerName",
         hc_full_name(p.surname, p.given_name, p.patronymic) AS "soughtPersonName",
         i.created_at AS "createdAt", i.version
       ${from} ORDER BY ${order} LIMIT ${param(query.pageSize)} OFFSET ${param((query.page - 1) * query.pageSize)}`,
      params,
    )) as InquiryListItem[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total ${from}`,
      params.slice(0, params.length - 2),
    )) as { total: number }[];
    if (query.q) {
      await this.audit.recordRead({
        action: 'inquiry.search',
        actor,
        after: { total, page: query.page, inquiryIds: rows.map((r) => r.id) },
      });
    }
    return { items: rows, total, page: query.page, pageSize: query.pageSize };
  }
}

export function familyOf(inquirer: Inquirer, inquiry: Inquiry): InquiryFamily {
  return Object.assign(inquirer, { relationship: inquiry.relationship });
}
