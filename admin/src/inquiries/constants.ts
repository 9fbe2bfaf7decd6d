// The API's vocabularies, from the server's own files (plain constants, no server code).
import { CALL_OUTCOMES } from '../../../src/contacts/contacts.vocabulary';
import { CHANNELS, PRIORITIES } from '../../../src/inquiries/inquiry.vocabulary';
import {
  CLOSED_STATES,
  INQUIRY_STATES,
  OPEN_STATES,
  type InquiryState,
} from '../../../src/inquiries/state-machine/inquiry-states';
import { FAMILY_CHANNELS, LANGUAGES, RELATIONSHIPS } from '../../../src/people/people.vocabulary';

export {
  CALL_OUTCOMES,
  CHANNELS,
  CLOSED_STATES,
  FAMILY_CHANNELS,
  LANGUAGES,
  OPEN_STATES,
  PRIORITIES,
  RELATIONSHIPS,
};
export const STATES = INQUIRY_STATES;
export type State = InquiryState;

export const choices = (values: readonly string[], prefix: string) =>
  values.map((id) => ({ id, name: `${prefix}.${id}` }));
