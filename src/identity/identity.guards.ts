import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  GuardContext,
  GuardId,
  GuardVerdict,
  InquiryGuard,
} from '../inquiries/state-machine/inquiry-guard.types.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';
import type { ConsentKind } from './prisoner-consent.entity.js';

// What counts, read inside the transition's transaction (whether detention may be disclosed is
// the disclosure gate's to say, not these guards'):
// - the match: a confirmed (countersigned) one;
// - the verification: the latest countersigned one (a later one overrides an earlier);
// - consent: the latest record of its kind about the prisoner of the confirmed match.

async function verificationOutcome(m: EntityManager, inquiryId: string): Promise<string | null> {
  const [row] = (await m.query(
    `SELECT outcome FROM inquirer_verification
     WHERE inquiry_id = $1 AND countersigned_by IS NOT NULL
     ORDER BY countersigned_at DESC LIMIT 1`,
    [inquiryId],
  )) as { outcome: string }[];
  return row?.outcome ?? null;
}

async function consent(m: EntityManager, inquiryId: string, kind: ConsentKind) {
  const [row] = (await m.query(
    `SELECT c.decision FROM prisoner_consent c
     JOIN inquiry_match x ON x.inquiry_id = c.inquiry_id AND x.prisoner_id = c.prisoner_id
       AND x.state = 'confirmed'
     WHERE c.inquiry_id = $1 AND c.kind = $2
     ORDER BY c.recorded_at DESC LIMIT 1`,
    [inquiryId, kind],
  )) as { decision: string }[];
  return row?.decision ?? null;
}

async function matchConfirmed(m: EntityManager, inquiryId: string): Promise<boolean> {
  const rows = (await m.query(
    `SELECT 1 FROM inquiry_match WHERE inquiry_id = $1 AND state = 'confirmed'`,
    [inquiryId],
  )) as unknown[];
  return rows.length > 0;
}

const verdict = (ok: boolean, reason: string): GuardVerdict =>
  ok ? { ok: true } : { ok: false, reason };

const CHECKS: Record<string, (c: GuardContext) => Promise<GuardVerdict>> = {
  prisoner_match_confirmed: async ({ manager, inquiryId }) =>
    verdict(
      await matchConfirmed(manager, inquiryId),
      'A registry match must be proposed and countersigned by a second staff member.',
    ),
  inquirer_verified: async ({ manager, inquiryId }) =>
    verdict(
      (await verificationOutcome(manager, inquiryId)) === 'verified',
      "The inquirer's verification must succeed and be countersigned by a second staff member.",
    ),
  inquirer_verification_failed: async ({ manager, inquiryId }) =>
    verdict(
      (await verificationOutcome(manager, inquiryId)) === 'failed',
      'Only a failed, countersigned verification of the inquirer allows this closing.',
    ),
  prisoner_consents_to_return: async ({ manager, inquiryId }) =>
    verdict(
      (await consent(manager, inquiryId, 'handover')) === 'given',
      'The prisoner must have agreed, in an interview, to be handed over to the family.',
    ),
  // A refusal, or consent withdrawn, of either kind.
  prisoner_refused: async ({ manager, inquiryId }) => {
    const decisions = [
      await consent(manager, inquiryId, 'disclosure'),
      await consent(manager, inquiryId, 'handover'),
    ];
    return verdict(
      decisions.some((d) => d === 'refused' || d === 'withdrawn'),
      'Only a refusal by the prisoner, recorded after an interview, allows this closing.',
    );
  },
};

// The identity module's guards, registered with the state machine at start-up.
@Injectable()
export class IdentityGuards implements OnModuleInit {
  constructor(private readonly registry: InquiryGuardRegistry) {}

  onModuleInit(): void {
    for (const [id, check] of Object.entries(CHECKS)) {
      const guard: InquiryGuard = { id: id as GuardId, check };
      this.registry.register(guard);
    }
  }
}
