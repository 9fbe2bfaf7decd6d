import { Injectable } from '@nestjs/common';
import type { FamilyChannel } from '../people/people.vocabulary.js';

// A family notice the gate let go, rendered in the family's language, for a channel that is not
// email: the channel's module delivers it (a call for a staff member to make: contacts).
export interface ChannelNotice {
  // The outbox row: a channel delivers one notice once, however often the sender tries.
  noticeId: string;
  inquiryId: string;
  // The address on the channel (a phone number, E.164).
  to: string;
  subject: string;
  text: string;
}

export type ChannelDelivery = (notice: ChannelNotice) => Promise<void>;

// The channels a family can hear from us on besides email, each registered by the module that
// owns it (the sender depends on none of them).
@Injectable()
export class FamilyChannels {
  private readonly deliveries = new Map<FamilyChannel, ChannelDelivery>();

  register(channel: Exclude<FamilyChannel, 'email'>, deliver: ChannelDelivery): void {
    if (this.deliveries.has(channel)) throw new Error(`channel ${channel} registered twice`);
    this.deliveries.set(channel, deliver);
  }

  async deliver(channel: FamilyChannel, notice: ChannelNotice): Promise<void> {
    const deliver = this.deliveries.get(channel);
    if (!deliver) throw new Error(`no delivery for the ${channel} channel`);
    await deliver(notice);
  }
}
