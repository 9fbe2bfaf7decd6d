import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type {
  ListDueCallbacksQuery,
  ListOverdueCallbacksQuery,
} from './dto/list-overdue-callbacks.query.js';

export interface OverdueCallback {
  id: string;
  inquiryId: string;
  reference: string;
  inquirerName: string;
  assignedTo: string | null;
  dueAt: Date;
  windowMinutes: number;
  windowEndsAt: Date;
  // Whole minutes since the window ended.
  minutesOverdue: number;
  phone: string | null;
  notes: string | null;
  version: number;
}

export interface DueCallback extends Omit<OverdueCallback, 'minutesOverdue'> {
  overdue: boolean;
  // Whole minutes since the window ended; 0 when it has not.
  minutesOverdue: number;
}

export interface DueCallbackPage {
  items: DueCallback[];
  total: number;
  page: number;
  pageSize: number;
}

export interface OverdueCallbackPage {
  items: OverdueCallback[];
  total: number;
  page: number;
  pageSize: number;
}

const WINDOW_END = `(c.due_at + c.window_minutes * interval '1 minute')`;

// Promises to families that nobody kept: open callbacks whose window has passed. The redundant
// `due_at < now()` lets callback_state_due_at_idx bound the scan.
@Injectable()
export class OverdueCallbacksService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // Most overdue first.
  async list(query: ListOverdueCallbacksQuery, staffId: string): Promise<OverdueCallbackPage> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [`c.state = 'open'`, 'c.due_at < now()', `${WINDOW_END} < now()`];
    if (query.assignee === 'none') where.push('i.assigned_to IS NULL');
    else if (query.assignee === 'me') where.push(`i.assigned_to = ${param(staffId)}`);
    else if (query.assignee) where.push(`i.assigned_to = ${param(query.assignee.toLowerCase())}`);
    const from = `FROM callback c
      JOIN inquiry i ON i.id = c.inquiry_id
      JOIN inquirer r ON r.id = i.inquirer_id
      WHERE ${where.join(' AND ')}`;

    const limit = param(query.pageSize);
    const offset = param((query.page - 1) * query.pageSize);

    const items = (await this.dataSource.query(
      `SELECT c.id, c.inquiry_id AS "inquiryId", i.reference, r.full_name AS "inquirerName",
         i.assigned_to AS "assignedTo", c.due_at AS "dueAt", c.window_minutes AS "windowMinutes",
         ${WINDOW_END} AS "windowEndsAt",
         floor(extract(epoch FROM now() - ${WINDOW_END}) / 60)::int AS "minutesOverdue",
         c.phone, c.notes, c.version
       ${from}
       ORDER BY ${WINDOW_END} ASC, c.id
       LIMIT ${limit} OFFSET ${offset}`,
      params,
    )) as OverdueCallback[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total ${from}`,
      params.slice(0, -2),
    )) as { total: number }[];
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  // The working list ("my callbacks"): open callbacks due within the next hours and those already
  // overdue, soonest due first. `me` means the caller's inquiries, and the callbacks the caller
  // promised on inquiries nobody owns yet.
  async due(query: ListDueCallbacksQuery, staffId: string): Promise<DueCallbackPage> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = [
      `c.state = 'open'`,
      `c.due_at < now() + ${param(query.withinHours)} * interval '1 hour'`,
    ];
    if (query.assignee === 'none') where.push('i.assigned_to IS NULL');
    else if (query.assignee === 'me') {
      const me = param(staffId);
      where.push(`(i.assigned_to = ${me} OR (i.assigned_to IS NULL AND c.created_by = ${me}))`);
    } else if (query.assignee) {
      where.push(`i.assigned_to = ${param(query.assignee.toLowerCase())}`);
    }
    const from = `FROM callback c
      JOIN inquiry i ON i.id = c.inquiry_id
      JOIN inquirer r ON r.id = i.inquirer_id
      WHERE ${where.join(' AND ')}`;
    const limit = param(query.pageSize);
    const offset = param((query.page - 1) * query.pageSize);
    const items = (await this.dataSource.query(
      `SELECT c.id, c.inquiry_id AS "inquiryId", i.reference, r.full_name AS "inquirerName",
         i.assigned_to AS "assignedTo", c.due_at AS "dueAt", c.window_minutes AS "windowMinutes",
         ${WINDOW_END} AS "windowEndsAt", ${WINDOW_END} < now() AS overdue,
         greatest(0, floor(extract(epoch FROM now() - ${WINDOW_END}) / 60))::int AS "minutesOverdue",
         c.phone, c.notes, c.version
       ${from}
       ORDER BY c.due_at ASC, c.id
       LIMIT ${limit} OFFSET ${offset}`,
      params,
    )) as DueCallback[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total ${from}`,
      params.slice(0, -2),
    )) as { total: number }[];
    return { items, total, page: query.page, pageSize: query.pageSize };
  }
}
