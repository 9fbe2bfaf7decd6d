import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { Prisoner } from './prisoner.entity.js';
import {
  checkRows,
  decodeFile,
  readRows,
  type RegistryEncoding,
  type RegistryFormat,
  type RowError,
} from './registry-rows.js';

export interface ImportReport {
  total: number;
  imported: number;
  created: number;
  updated: number;
  skipped: number;
  invalid: RowError[];
}

export interface PrisonerSearch {
  q?: string;
  page: number;
  pageSize: number;
}

const CHUNK = 5_000;
const COLUMNS = [
  'personal_number',
  'surname',
  'given_names',
  'patronymic',
  'rank',
  'birth_date',
  'place_of_birth',
  'fathers_first_name',
  'mothers_maiden_name',
  'military_unit',
  'captured_on',
  'place_of_capture',
  'location_category',
  'health_notes',
] as const;
const TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'date',
  'text',
  'text',
  'text',
  'text',
  'date',
  'text',
  'text',
  'text',
];
// Rows by column arrays; a known personal number updates its prisoner. xmax = 0 tells a row
// inserted by this statement from one updated.
const UPSERT = `
  INSERT INTO prisoner (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${COLUMNS.map((_, i) => `$${i + 1}::${TYPES[i]}[]`).join(', ')})
  ON CONFLICT (personal_number) DO UPDATE SET
    ${COLUMNS.slice(1)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')},
    version = prisoner.version + 1, updated_at = now()
  RETURNING (xmax = 0) AS created`;

// The authority's registry of prisoners: imported from its files, searched and read by staff.
// Every import and every read of a record is audited.
@Injectable()
export class RegistryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // All rows are checked first. With errors, nothing is imported (the report says why), unless
  // skipInvalid: then the valid rows are. One transaction: an import is whole or absent.
  async import(
    file: Buffer,
    options: { format: RegistryFormat; encoding?: RegistryEncoding; skipInvalid: boolean },
    actor: ActorContext,
  ): Promise<ImportReport> {
    const checked = checkRows(readRows(decodeFile(file, options.encoding), options.format));
    if (checked.total === 0) {
      throw new DomainException('unreadable_file', 'The file holds no prisoners');
    }
    const report: ImportReport = {
      total: checked.total,
      imported: 0,
      created: 0,
      updated: 0,
      skipped: checked.invalid.length,
      invalid: checked.invalid,
    };
    if (checked.invalid.length > 0 && !options.skipInvalid) {
      throw new DomainException(
        'registry_import_invalid',
        `${checked.invalid.length} of ${checked.total} rows are not valid; nothing was imported`,
        {
          detail: 'Correct the rows listed, or import the valid rows alone with skipInvalid.',
          extensions: { report: { ...report, skipped: 0 } },
        },
      );
    }
    await this.dataSource.transaction(async (manager) => {
      for (let i = 0; i < checked.valid.length; i += CHUNK) {
        const chunk = checked.valid.slice(i, i + CHUNK);
        const rows = (await manager.query(UPSERT, [
          chunk.map((r) => r.personalNumber),
          chunk.map((r) => r.surname),
          chunk.map((r) => r.givenNames),
          chunk.map((r) => r.patronymic),
          chunk.map((r) => r.rank),
          chunk.map((r) => r.birthDate),
          chunk.map((r) => r.placeOfBirth),
          chunk.map((r) => r.fathersFirstName),
          chunk.map((r) => r.mothersMaidenName),
          chunk.map((r) => r.militaryUnit),
          chunk.map((r) => r.capturedOn),
          chunk.map((r) => r.placeOfCapture),
          chunk.map((r) => r.locationCategory),
          chunk.map((r) => r.healthNotes),
        ])) as { created: boolean }[];
        for (const row of rows) {
          if (row.created) report.created += 1;
          else report.updated += 1;
        }
      }
      report.imported = report.created + report.updated;
      await this.audit.appendInTransaction(manager, {
        action: 'registry.import',
        actor,
        entityType: 'registry',
        entityId: 'prisoners',
        after: {
          format: options.format,
          total: report.total,
          created: report.created,
          updated: report.updated,
          skipped: report.skipped,
        },
      });
    });
    // Statistics and the visibility map brought up to date, so that matching's look-ups are
    // planned for the new rows and answered from the indexes alone (VACUUM cannot run inside
    // the import's transaction; autovacuum would get there later).
    await this.dataSource.query('VACUUM (ANALYZE) prisoner');
    return report;
  }

  // By personal number (its beginning) or by name in any script: the first word is compared
  // with surnames by their key (trigram index), the whole text ranks the rest.
  async search(
    { q, page, pageSize }: PrisonerSearch,
    actor: ActorContext,
  ): Promise<{ items: Prisoner[]; total: number; page: number; pageSize: number }> {
    const text = q?.trim() ?? '';
    const repository = this.dataSource.getRepository(Prisoner);
    const query = repository.createQueryBuilder('p');
    if (/\d/.test(text)) {
      query.where('upper(p.personal_number) LIKE :prefix', {
        prefix: `${text.toUpperCase().replace(/[%_\\]/g, '')}%`,
      });
      query.orderBy('p.personal_number');
    } else if (text) {
      const [first] = text.split(' ');
      query
        .where('p.surname_key % hc_name_key(:first)', { first })
        .orderBy(
          `similarity(p.surname_key || ' ' || p.given_key || ' ' || coalesce(p.patronymic_key, ''), hc_name_key(:text))`,
          'DESC',
        )
        .setParameter('text', text);
    } else {
      query.orderBy('p.surname').addOrderBy('p.given_names');
    }
    const [items, total] = await query
      .addOrderBy('p.id')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getManyAndCount();
    await this.audit.recordRead({
      action: 'registry.search',
      actor,
      entityType: 'registry',
      entityId: 'prisoners',
      after: { query: text, results: total },
    });
    return { items, total, page, pageSize };
  }

  // One record, its reading audited. Health notes only for supervisors.
  async get(id: string, actor: ActorContext, withHealthNotes: boolean): Promise<Prisoner> {
    const query = this.dataSource
      .getRepository(Prisoner)
      .createQueryBuilder('p')
      .where('p.id = :id', { id });
    if (withHealthNotes) query.addSelect('p.healthNotes');
    const prisoner = await query.getOne();
    if (!prisoner) throw new DomainException('not_found', 'No such prisoner in the registry');
    await this.audit.recordRead({
      action: 'registry.prisoner_read',
      actor,
      entityType: 'prisoner',
      entityId: id,
      after: { healthNotes: withHealthNotes },
    });
    return prisoner;
  }
}
