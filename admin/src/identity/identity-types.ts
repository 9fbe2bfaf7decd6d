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
  decision: 'given' | 'refused';
  interviewedOn: string;
  recordedAt: string;
}

export interface Signal {
  kind: string;
  inquiries: { id: string; reference: string }[];
}
