import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { GuardContext, GuardVerdict } from '../inquiries/state-machine/inquiry-guard.types.js';
import { InquiryGuardRegistry } from '../inquiries/state-machine/inquiry-guard.registry.js';

// travel_planning → in_transit: a plan the family can travel on — where from, the entry into
// Poland, an open crossing point and the time of crossing, the escort and how to reach them,
// and the inquirer among the travellers.
@Injectable()
export class TravelGuards implements OnModuleInit {
  constructor(private readonly registry: InquiryGuardRegistry) {}

  onModuleInit(): void {
    this.registry.register({ id: 'travel_plan_complete', check: (c) => this.planComplete(c) });
  }

  private async planComplete({ manager, inquiryId }: GuardContext): Promise<GuardVerdict> {
    const [plan] = (await manager.query(
      `SELECT p.origin_city, p.planned_entry_into_poland, p.crossing_point_id,
         p.planned_crossing_at, p.escort_name, p.escort_phone, c.open,
         EXISTS (SELECT FROM traveller t WHERE t.travel_plan_id = p.id AND t.is_inquirer)
           AS inquirer_travels
       FROM travel_plan p LEFT JOIN border_crossing c ON c.id = p.crossing_point_id
       WHERE p.inquiry_id = $1`,
      [inquiryId],
    )) as Record<string, unknown>[];
    if (!plan) return { ok: false, reason: 'There is no travel plan yet.' };
    const missing = [
      !plan.origin_city && 'where they travel from',
      !plan.planned_entry_into_poland && 'the date of entry into Poland',
      !plan.crossing_point_id && 'the crossing point',
      !plan.planned_crossing_at && 'the time of crossing',
      !plan.escort_name && "the escort's name",
      !plan.escort_phone && "the escort's phone",
      !plan.inquirer_travels && 'the inquirer among the travellers',
    ].filter(Boolean);
    if (missing.length > 0) {
      return { ok: false, reason: `The travel plan lacks ${missing.join(', ')}.` };
    }
    if (plan.open === false) return { ok: false, reason: 'The planned crossing point is closed.' };
    return { ok: true };
  }
}
