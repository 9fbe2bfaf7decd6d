export interface FieldExplanation {
  field: string;
  agreement: string;
  similarity: number | null;
  weight: number;
}

export interface Explanation {
  score: number;
  strength: 'strong' | 'possible' | 'weak';
  namesSwapped: boolean;
  fields: FieldExplanation[];
}

export interface Candidate {
  prisoner: {
    id: string;
    personalNumber: string;
    surname: string;
    givenNames: string;
    patronymic: string | null;
    birthDate: string | null;
    rank: string | null;
    militaryUnit: string | null;
  };
  score: number;
  explanation: Explanation;
}

export interface Match {
  id: string;
  prisonerId: string;
  state: 'proposed' | 'confirmed' | 'rejected';
  score: number;
  explanation: Explanation;
  proposedBy: string;
  proposedAt: string;
  countersignedBy: string | null;
  rejectedBy: string | null;
  reason: string | null;
}

export interface Verification {
  id: string;
  documents: { kind: string; numberLast4: string }[];
  relationshipEvidence: string;
  answers: { question: string; answer: string; agreesWithRegistry: boolean | null }[];
  method: string;
  outcome: 'verified' | 'failed';
  verifiedBy: string;
  verifiedAt: string;
  countersignedBy: string | null;
}

export interface Consent {
  id: string;
  kind: 'disclosure' | 'handover';
  decision: 'given' | 'refused' | 'withdrawn';
  interviewedOn: string;
  recordedAt: string;
}

export interface Signal {
  kind: string;
  inquiries: { id: string; reference: string }[];
}

// GET /api/matches/:id/review and /api/verifications/:id/review.
export interface CountersignReview {
  kind: 'match' | 'verification';
  inquiry: { id: string; reference: string; status: string };
  family: { fullName: string; relationship: string; emails: string[]; phones: string[] };
  sought: {
    surname: string;
    givenName: string | null;
    patronymic: string | null;
    latin: string | null;
    birthYear: number | null;
    birthMonth: number | null;
    birthDay: number | null;
    placeOfBirth: string | null;
    militaryUnit: string | null;
    rank: string | null;
    personalNumberLast4: string | null;
    distinguishingMarks: string | null;
  };
  match: {
    id: string;
    state: string;
    score: number;
    explanation: Explanation;
    proposedBy: string;
    proposedByName: string | null;
    proposedAt: string;
  } | null;
  prisoner: {
    id: string;
    surname: string;
    givenNames: string;
    patronymic: string | null;
    surnameLatin: string | null;
    givenNamesLatin: string | null;
    patronymicLatin: string | null;
    fullName: string;
    birthDate: string | null;
    placeOfBirth: string | null;
    militaryUnit: string | null;
    rank: string | null;
    personalNumberLast4: string;
    capturedOn: string | null;
  } | null;
  verification: {
    id: string;
    outcome: 'verified' | 'failed';
    method: string;
    relationshipEvidence: string;
    documents: { kind: string; numberLast4: string }[];
    answers: {
      question: string;
      answer: string;
      registryValue: string | null;
      agreesWithRegistry: boolean | null;
    }[];
    verifiedBy: string;
    verifiedByName: string | null;
    verifiedAt: string;
    countersignedBy: string | null;
  } | null;
}
