import { Global, Injectable, Module } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReadScope } from '../decorators/access-policy.decorator.js';
import type { ActorContext } from '../request-context.js';

// Two inquiries merged: the duplicate's records follow it to the survivor.
export interface CaseMove {
  manager: EntityManager;
  from: string;
  to: string;
  actor: ActorContext;
  reason: string;
}

// A module's part of a family's conversation: a SELECT of its exchanges with the family on the
// inquiries `$1::uuid[]`, in the columns of contacts' ConversationEntry (id, at, channel,
// direction, "inquiryId", "staffId", subject, text, attachments, outcome, "durationSeconds",
// event, "needsReview"), shown to the roles that may read `scope`.
export interface ConversationPart {
  scope: ReadScope;
  sql: string;
}

// What must happen before a module's rows are re-pointed (a record the survivor already has, or
// one that cannot be open twice on a case).
export type CaseMovePreparation = (move: CaseMove) => Promise<void>;

// What belongs to a case is held by the modules that own it, and only they write it: each module
// registers its tables that hang on an inquiry (by an inquiry_id column) and what must be settled
// before they move, and its part of the family's conversation; a merge (the inquiries module)
// moves them all, in its transaction, each row re-pointed to the survivor. A test walks the live
// schema and fails on a table with an inquiry_id that no module registered and that is not said
// to stay.
@Injectable()
export class CaseRecordsRegistry {
  private readonly owners: { tables: readonly string[]; prepare?: CaseMovePreparation }[] = [];
  private readonly parts: ConversationPart[] = [];
  private readonly guards: CaseMovePreparation[] = [];

  register(tables: readonly string[], prepare?: CaseMovePreparation): void {
    const taken = tables.filter((t) => this.tables.includes(t));
    if (taken.length > 0) throw new Error(`case records of ${taken.join(', ')} registered twice`);
    this.owners.push({ tables, prepare });
  }

  // Records that are one case's alone (a journey, a handover) refuse the merge: `guard` throws
  // the refusal (a DomainException) when the duplicate has some. Asked before anything moves.
  guardMerge(guard: CaseMovePreparation): void {
    this.guards.push(guard);
  }

  // Throws the first refusal, if any (the merge asks before it changes anything).
  async refuseIfKept(move: CaseMove): Promise<void> {
    for (const guard of this.guards) await guard(move);
  }

  // Each channel's exchanges with a family are its own records; the conversation (contacts) is
  // every registered part, so that a new channel joins it by registering its own.
  converse(part: ConversationPart): void {
    this.parts.push(part);
  }

  get conversation(): readonly ConversationPart[] {
    return this.parts;
  }

  get tables(): string[] {
    return this.owners.flatMap((o) => o.tables).sort();
  }

  // Every module's records, in one order (by table), so that two merges lock alike. How many
  // rows of each table moved.
  // (The caller asked refuseIfKept before it changed anything.)
  async moveAll(move: CaseMove): Promise<Record<string, number>> {
    const moved: Record<string, number> = {};
    const ordered = [...this.owners].sort((a, b) => a.tables[0].localeCompare(b.tables[0]));
    for (const { tables, prepare } of ordered) {
      await prepare?.(move);
      for (const table of tables) {
        const [, count] = (await move.manager.query(
          `UPDATE "${table}" SET inquiry_id = $2 WHERE inquiry_id = $1`,
          [move.from, move.to],
        )) as [unknown, number];
        moved[table] = count;
      }
    }
    return moved;
  }
}

@Global()
@Module({ providers: [CaseRecordsRegistry], exports: [CaseRecordsRegistry] })
export class CaseRecordsModule {}
