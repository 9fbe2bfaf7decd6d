import type { State } from './constants';

export interface InquiryRecord {
  id: string;
  inquiry: {
    id: string;
    reference: string;
    channel: string;
    status: State;
    previousStatus: State | null;
    priority: string;
    assignedTo: string | null;
    version: number;
    createdAt: string;
    updatedAt: string;
    // Its personal data removed (retention or erasure on request).
    pseudonymisedAt: string | null;
  };
  inquirer: {
    id: string;
    fullName: string;
    relationship: string;
    phones: string[];
    emails: string[];
    preferredLanguage: string;
    country: string | null;
    city: string | null;
    notes: string | null;
  };
  soughtPerson: {
    surname: string;
    givenName: string | null;
    patronymic: string | null;
    birthYear: number | null;
    birthMonth: number | null;
    birthDay: number | null;
    placeOfBirth: string | null;
    militaryUnit: string | null;
    rank: string | null;
    personalNumber: string | null;
    mothersMaidenName: string | null;
    fathersFirstName: string | null;
    distinguishingMarks: string | null;
  } | null;
  possibleDuplicates: { id: string; reference: string; status: string; soughtPersonName: string }[];
  timeline: {
    at: string;
    kind: 'status' | 'audit';
    action: string;
    actor: string;
    detail: Record<string, unknown>;
  }[];
}

export interface TransitionOption {
  transition: string;
  to: State;
  allowed: boolean;
  reasonRequired: boolean;
  blockedBy: string[];
}
