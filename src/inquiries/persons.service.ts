import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { Inquirer } from '../people/inquirer.entity.js';
import { PersonMerge } from '../people/person-merge.entity.js';
import {
  personNotFound,
  personSuggestions,
  type PersonSuggestion,
} from '../people/person-resolution.js';

export interface PersonPage {
  person: Inquirer;
  // Set when this record was merged into another: the person's page is the survivor's.
  mergedInto: { id: string; fullName: string } | null;
  inquiries: {
    id: string;
    reference: string;
    status: string;
    relationship: string;
    channel: string;
    soughtPersonName: string | null;
    searchId: string;
    // Other relatives asking about the same man.
    otherRelatives: number;
    createdAt: Date;
  }[];
  merges: {
    id: string;
    survivorId: string;
    survivorName: string;
    absorbedId: string;
    absorbedName: string;
    references: string[];
    reason: string;
    mergedBy: string;
    mergedAt: Date;
    confirmedAt: Date | null;
    undoneAt: Date | null;
  }[];
  suggestions: PersonSuggestion[];
}

const conflict = (title: string, detail: string) =>
  new DomainException('conflict', title, { detail });

// One person, many records made one and taken apart again — always by a supervisor, audited,
// and a merge can be undone until it is confirmed. Lives with the inquiries because what moves is
// which person each inquiry belongs to; the person rows are the people module's own.
@Injectable()
export class PersonsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // Read committed: two reads by one person (their read records share a stream) never fail each
  // other as repeatable-read transactions would.
  async page(id: string, actor: ActorContext): Promise<PersonPage> {
    return this.dataSource.transaction(async (manager) => {
      const person = await manager.getRepository(Inquirer).findOneBy({ id });
      if (!person) throw personNotFound(id);
      const [mergedInto] = person.mergedInto
        ? ((await manager.query(`SELECT id, full_name AS "fullName" FROM inquirer WHERE id = $1`, [
            person.mergedInto,
          ])) as { id: string; fullName: string }[])
        : [];
      const inquiries = (await manager.query(
        `SELECT i.id, i.reference, i.status, i.relationship, i.channel, i.search_id AS "searchId",
           hc_full_name(p.surname, p.given_name, p.patronymic) AS "soughtPersonName",
           (SELECT count(*)::int FROM inquiry o WHERE o.search_id = i.search_id
              AND o.inquirer_id <> i.inquirer_id) AS "otherRelatives",
           i.created_at AS "createdAt"
         FROM inquiry i LEFT JOIN sought_person p ON p.inquiry_id = i.id
         WHERE i.inquirer_id = $1 ORDER BY i.created_at, i.id`,
        [id],
      )) as PersonPage['inquiries'];
      const merges = (await manager.query(
        `SELECT m.id, m.survivor_id AS "survivorId", s.full_name AS "survivorName",
           m.absorbed_id AS "absorbedId", a.full_name AS "absorbedName",
           coalesce((SELECT array_agg(i.reference ORDER BY i.reference) FROM inquiry i
                     WHERE i.id = ANY(m.inquiry_ids)), '{}') AS "references",
           m.reason, m.merged_by AS "mergedBy", m.merged_at AS "mergedAt",
           m.confirmed_at AS "confirmedAt", m.undone_at AS "undoneAt"
         FROM person_merge m JOIN inquirer s ON s.id = m.survivor_id
         JOIN inquirer a ON a.id = m.absorbed_id
         WHERE m.survivor_id = $1 OR m.absorbed_id = $1
         ORDER BY m.merged_at DESC, m.id`,
        [id],
      )) as PersonPage['merges'];
      const suggestions = person.mergedInto ? [] : await personSuggestions(manager, person);
      await this.audit.recordReadInTransaction(manager, {
        action: 'person.read',
        actor,
        entityType: 'inquirer',
        entityId: id,
        after: { inquiries: inquiries.length },
      });
      return { person, mergedInto: mergedInto ?? null, inquiries, merges, suggestions };
    });
  }

  // The absorbed record's inquiries become the survivor's, and its names and contacts are added
  // to the survivor's; the absorbed record stays, pointing at the survivor, until the merge is
  // undone. Both records are locked (in id order: two merges of a pair cannot deadlock).
  async merge(input: {
    survivorId: string;
    absorbedId: string;
    reason: string;
    actor: ActorContext;
  }): Promise<PersonMerge> {
    const { survivorId, absorbedId, reason, actor } = input;
    if (survivorId === absorbedId) {
      throw new DomainException('validation_failed', 'A person cannot be merged into themselves', {
        errors: [
          { field: 'absorbedId', rule: 'different', message: 'absorbedId must be another person' },
        ],
      });
    }
    return this.dataSource.transaction(async (manager) => {
      const [survivor, absorbed] = await lockPersons(manager, survivorId, absorbedId);
      for (const p of [survivor, absorbed]) {
        if (p.mergedInto) {
          throw conflict(
            'Already merged',
            `Person ${p.id} is merged into ${p.mergedInto}; merge into that person instead.`,
          );
        }
      }
      const moved = (await manager.query(
        `UPDATE inquiry SET inquirer_id = $1 WHERE inquirer_id = $2 RETURNING id`,
        [survivorId, absorbedId],
      )) as [{ id: string }[], number];
      const inquiryIds = moved[0].map((r) => r.id).sort();
      const merge = await manager.getRepository(PersonMerge).save(
        manager.getRepository(PersonMerge).create({
          survivorId,
          absorbedId,
          inquiryIds,
          survivorBefore: {
            otherNames: survivor.otherNames,
            phones: survivor.phones,
            emails: survivor.emails,
            undeliverableEmails: survivor.undeliverableEmails,
          },
          reason,
          mergedBy: actor.actor,
        }),
      );
      const add = (mine: string[], theirs: string[]) => [
        ...mine,
        ...theirs.filter((x, i) => !mine.includes(x) && theirs.indexOf(x) === i),
      ];
      await manager.getRepository(Inquirer).update(
        { id: survivorId },
        {
          otherNames: add(
            survivor.otherNames,
            [absorbed.fullName, ...absorbed.otherNames].filter((n) => n !== survivor.fullName),
          ),
          phones: add(survivor.phones, absorbed.phones),
          emails: add(survivor.emails, absorbed.emails),
          undeliverableEmails: add(survivor.undeliverableEmails, absorbed.undeliverableEmails),
          version: survivor.version + 1,
        },
      );
      await manager.getRepository(Inquirer).update({ id: absorbedId }, { mergedInto: survivorId });
      await this.record(manager, 'person.merge', actor, merge, inquiryIds, { reason });
      return merge;
    });
  }

  // Undone: the inquiries that moved go back, and the survivor keeps only the names and contacts
  // it had or gained since from elsewhere.
  async undo(mergeId: string, reason: string, actor: ActorContext): Promise<PersonMerge> {
    return this.dataSource.transaction(async (manager) => {
      const merge = await this.lockMerge(manager, mergeId);
      if (merge.confirmedAt) {
        throw conflict('Merge confirmed', 'A confirmed merge cannot be undone; split instead.');
      }
      const [survivor, absorbed] = await lockPersons(manager, merge.survivorId, merge.absorbedId);
      // Merges are undone newest first: once the survivor was itself merged on, its inquiries
      // have moved again.
      if (survivor.mergedInto) {
        throw conflict(
          'Undo the later merge first',
          `The person this record was joined to has since been joined to ${survivor.mergedInto}.`,
        );
      }
      const back = (await manager.query(
        `UPDATE inquiry SET inquirer_id = $1 WHERE inquirer_id = $2 AND id = ANY($3) RETURNING id`,
        [absorbed.id, survivor.id, merge.inquiryIds],
      )) as [{ id: string }[], number];
      const keep = (now: string[], before: string[], theirs: string[]) =>
        now.filter((x) => before.includes(x) || !theirs.includes(x));
      const before = merge.survivorBefore;
      await manager.getRepository(Inquirer).update(
        { id: survivor.id },
        {
          otherNames: keep(survivor.otherNames, before.otherNames, [
            absorbed.fullName,
            ...absorbed.otherNames,
          ]),
          phones: keep(survivor.phones, before.phones, absorbed.phones),
          emails: keep(survivor.emails, before.emails, absorbed.emails),
          undeliverableEmails: keep(
            survivor.undeliverableEmails,
            before.undeliverableEmails,
            absorbed.undeliverableEmails,
          ),
          version: survivor.version + 1,
        },
      );
      await manager.getRepository(Inquirer).update({ id: absorbed.id }, { mergedInto: null });
      merge.undoneAt = new Date();
      merge.undoneBy = actor.actor;
      await manager.getRepository(PersonMerge).save(merge);
      const movedBack = back[0].map((r) => r.id).sort();
      await this.record(manager, 'person.merge_undone', actor, merge, movedBack, { reason });
      return merge;
    });
  }

  async confirm(mergeId: string, actor: ActorContext): Promise<PersonMerge> {
    return this.dataSource.transaction(async (manager) => {
      const merge = await this.lockMerge(manager, mergeId);
      if (merge.confirmedAt) return merge;
      merge.confirmedAt = new Date();
      merge.confirmedBy = actor.actor;
      await manager.getRepository(PersonMerge).save(merge);
      await this.record(manager, 'person.merge_confirmed', actor, merge, [], {});
      return merge;
    });
  }

  // Some of a person's inquiries belong to someone else (two people of one name sharing a
  // phone): they move to a new person with the contacts named here, the rest stay.
  async split(input: {
    personId: string;
    inquiryIds: string[];
    fullName: string;
    phones: string[];
    emails: string[];
    reason: string;
    actor: ActorContext;
  }): Promise<{ personId: string }> {
    const { personId, actor } = input;
    return this.dataSource.transaction(async (manager) => {
      const [person] = await lockPersons(manager, personId);
      if (person.mergedInto) {
        throw conflict('Merged', `Person ${personId} is merged; split the survivor instead.`);
      }
      const theirs = (await manager.query(
        `SELECT id FROM inquiry WHERE inquirer_id = $1 ORDER BY id FOR UPDATE`,
        [personId],
      )) as { id: string }[];
      const ids = [...new Set(input.inquiryIds)].sort();
      const unknown = ids.filter((id) => !theirs.some((t) => t.id === id));
      if (unknown.length > 0 || ids.length === 0 || ids.length === theirs.length) {
        throw new DomainException('validation_failed', 'Choose some of the person’s inquiries', {
          errors: [
            {
              field: 'inquiryIds',
              rule: 'some',
              message:
                unknown.length > 0
                  ? `not this person's: ${unknown.join(', ')}`
                  : 'inquiryIds must name some, not all, of the person’s inquiries',
            },
          ],
        });
      }
      const created = await manager.getRepository(Inquirer).save(
        manager.getRepository(Inquirer).create({
          fullName: input.fullName,
          phones: input.phones,
          emails: input.emails,
          preferredLanguage: person.preferredLanguage,
          preferredChannel: person.preferredChannel,
          country: person.country,
          city: person.city,
        }),
      );
      await manager.query(`UPDATE inquiry SET inquirer_id = $1 WHERE id = ANY($2)`, [
        created.id,
        ids,
      ]);
      for (const inquiryId of ids) {
        await this.audit.appendInTransaction(manager, {
          action: 'person.split',
          actor,
          entityType: 'inquirer',
          entityId: created.id,
          inquiryId,
          after: { from: personId, to: created.id, reason: input.reason },
        });
      }
      return { personId: created.id };
    });
  }

  private async lockMerge(manager: EntityManager, id: string): Promise<PersonMerge> {
    const merge = await manager
      .getRepository(PersonMerge)
      .createQueryBuilder('m')
      .where('m.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!merge) {
      throw new DomainException('not_found', 'No such merge', { detail: `No merge ${id}.` });
    }
    if (merge.undoneAt) throw conflict('Merge undone', 'This merge was undone already.');
    return merge;
  }

  // On each moved inquiry's trail (its timeline shows whose it became) and the person's own.
  private async record(
    manager: EntityManager,
    action: 'person.merge' | 'person.merge_undone' | 'person.merge_confirmed',
    actor: ActorContext,
    merge: PersonMerge,
    inquiryIds: string[],
    extra: Record<string, unknown>,
  ): Promise<void> {
    const after = {
      merge: merge.id,
      survivorId: merge.survivorId,
      absorbedId: merge.absorbedId,
      inquiries: inquiryIds.length,
      ...extra,
    };
    await this.audit.appendInTransaction(manager, {
      action,
      actor,
      entityType: 'inquirer',
      entityId: merge.survivorId,
      after,
    });
    for (const inquiryId of inquiryIds) {
      await this.audit.appendInTransaction(manager, {
        action,
        actor,
        entityType: 'inquirer',
        entityId: merge.survivorId,
        inquiryId,
        after,
      });
    }
  }
}

// Person rows locked in id order; missing → 404.
async function lockPersons(manager: EntityManager, ...ids: string[]): Promise<Inquirer[]> {
  const rows = await manager
    .getRepository(Inquirer)
    .createQueryBuilder('r')
    .where('r.id IN (:...ids)', { ids })
    .orderBy('r.id')
    .setLock('pessimistic_write')
    .getMany();
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw personNotFound(id);
    return row;
  });
}
