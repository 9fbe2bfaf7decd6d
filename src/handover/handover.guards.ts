import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { GuardContext, GuardVerdict } from '../inquiries/state-machine/inquiry-guard.types.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';

// in_transit → handover_scheduled: an appointment, and the family in Kyiv (or a supervisor's
// override with a reason). handover_scheduled → handed_over: the completion confirmed by a
// second official.
@Injectable()
export class HandoverGuards implements OnModuleInit {
  constructor(private readonly registry: InquiryGuardRegistry) {}

  onModuleInit(): void {
    this.registry.register({
      id: 'handover_appointment_set',
      check: (c) => this.appointmentSet(c),
    });
    this.registry.register({ id: 'handover_record_confirmed', check: (c) => this.confirmed(c) });
  }

  private async appointmentSet({ manager, inquiryId }: GuardContext): Promise<GuardVerdict> {
    const [row] = (await manager.query(
      `SELECT a.arrival_override_by IS NOT NULL AS overridden,
         EXISTS (SELECT FROM travel_event e WHERE e.inquiry_id = a.inquiry_id
                 AND e.step = 'arrived_in_kyiv') AS arrived
       FROM handover_appointment a WHERE a.inquiry_id = $1 AND a.state = 'scheduled'`,
      [inquiryId],
    )) as { overridden: boolean; arrived: boolean }[];
    if (!row) return { ok: false, reason: 'No handover appointment is set.' };
    if (!row.arrived && !row.overridden) {
      return {
        ok: false,
        reason:
          'The family is not recorded as arrived in Kyiv (a supervisor may override, saying why).',
      };
    }
    return { ok: true };
  }

  private async confirmed({ manager, inquiryId }: GuardContext): Promise<GuardVerdict> {
    const rows = (await manager.query(
      `SELECT 1 FROM handover_appointment WHERE inquiry_id = $1 AND state = 'completed'`,
      [inquiryId],
    )) as unknown[];
    return rows.length > 0
      ? { ok: true }
      : {
          ok: false,
          reason:
            'The handover must be recorded (time, act number) and confirmed by a second official.',
        };
  }
}
