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
    // The person who asks (their record) and the search for the man sought.
    inquirerId: string;
    searchId: string;
    relationship: string;
  };
  inquirer: {
    id: string;
    fullName: string;
    relationship: string;
    phones: string[];
    emails: string[];
    preferredLanguage: string;
    preferredChannel: string;
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
  // Inquiries probably about the same man (by his name and birth date, whoever asks).
  possibleDuplicates: {
    id: string;
    reference: string;
    status: State;
    inquirerName: string;
    relationship: string;
    soughtPersonName: string;
    samePerson: boolean;
    samePhone: boolean;
    sameEmail: boolean;
  }[];
  // The other relatives' inquiries on this one's search.
  search: {
    id: string;
    inquiries: {
      id: string;
      reference: string;
      status: State;
      relationship: string;
      inquirerName: string;
      inquirerId: string;
    }[];
  };
  // Other records sharing a contact with this person (for a supervisor to look at).
  person: {
    suggestions: {
      id: string;
      fullName: string;
      samePhone: boolean;
      sameEmail: boolean;
      sameName: boolean;
    }[];
  };
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
