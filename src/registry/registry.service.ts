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
  REQUIRED_FIELDS,
  type PrisonerRow,
  type PrisonerValues,
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
// The registry's columns, in the order of the statements' parameters.
const COLUMNS: { field: keyof PrisonerValues; column: string; type: 'text' | 'date' }[] = [
  { field: 'personalNumber', column: 'personal_number', type: 'text' },
  { field: 'surname', column: 'surname', type: 'text' },
  { field: 'givenNames', column: 'given_names', type: 'text' },
  { field: 'patronymic', column: 'patronymic', type: 'text' },
  { field: 'rank', column: 'rank', type: 'text' },
  { field: 'birthDate', column: 'birth_date', type: 'date' },
  { field: 'placeOfBirth', column: 'place_of_birth', type: 'text' },
  { field: 'fathersFirstName', column: 'fathers_first_name', type: 'text' },
  { field: 'mothersMaidenName', column: 'mothers_maiden_name', type: 'text' },
  { field: 'militaryUnit', column: 'military_unit', type: 'text' },
  { field: 'capturedOn', column: 'captured_on', type: 'date' },
  { field: 'placeOfCapture', column: 'place_of_capture', type: 'text' },
  { field: 'locationCategory', column: 'location_category', type: 'text' },
  { field: 'healthNotes', column: 'health_notes', type: 'text' },
];
// Every row has these (and the personal number); the others may be left out of a file.
const REQUIRED = COLUMNS.filter(
  (c) => REQUIRED_FIELDS.has(c.field) && c.field !== 'personalNumber',
);
const OPTIONAL = COLUMNS.filter((c) => !REQUIRED_FIELDS.has(c.field));
const arrays = (types: string[]) => types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');

// New personal numbers, by column arrays; the known ones are left to UPDATE_KNOWN.
const INSERT_NEW = `
  INSERT INTO prisoner (${COLUMNS.map((c) => c.column).join(', ')})
  SELECT * FROM unnest(${arrays(COLUMNS.map((c) => c.type))})
  ON CONFLICT (personal_number) DO NOTHING
  RETURNING personal_number`;

// Known personal numbers: the required columns and, of the others, those the row was given (a
// flag per column and row, after the values); the rest keep their stored values.
const UPDATE_KNOWN = `
  WITH updated AS (
    UPDATE prisoner p SET
      ${[
        ...REQUIRED.map((c) => `${c.column} = u.${c.column}`),
        ...OPTIONAL.map(
          (c) =>
            `${c.column} = CASE WHEN u.${c.column}_given THEN u.${c.column} ELSE p.${c.column} END`,
        ),
        'version = p.version + 1',
        'updated_at = now()',
      ].join(',\n      ')}
    FROM unnest(${arrays([...COLUMNS.map((c) => c.type), ...OPTIONAL.map(() => 'boolean')])})
      AS u(${[...COLUMNS.map((c) => c.column), ...OPTIONAL.map((c) => `${c.column}_given`)].join(', ')})
    WHERE p.personal_number = u.personal_number
    RETURNING 1)
  SELECT count(*)::int AS updated FROM updated`;

const columnArrays = (rows: PrisonerRow[]) => COLUMNS.map((c) => rows.map((r) => r[c.field]));

// The authority's registry of prisoners: imported from its files, searched and read by staff.
// Every import and every read of a record is audited.
@Injectable()
export class RegistryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  // All rows are checked first. With errors, nothing is imported (the report says why), unless
  // skipInvalid: then the valid rows are. One transaction: an import is whole or absent. A known
  // personal number changes its prisoner in the columns the file gives, and no others.
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
        const inserted = (await manager.query(INSERT_NEW, columnArrays(chunk))) as {
          personal_number: string;
        }[];
        report.created += inserted.length;
        const created = new Set(inserted.map((r) => r.personal_number));
        const known = chunk.filter((r) => !created.has(r.personalNumber));
        if (known.length === 0) continue;
        const [{ updated }] = (await manager.query(UPDATE_KNOWN, [
          ...columnArrays(known),
          ...OPTIONAL.map((c) => known.map((r) => r.given.has(c.field))),
        ])) as { updated: number }[];
        report.updated += updated;
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
