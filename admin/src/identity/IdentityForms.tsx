import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import { currentSession } from '../api/session';
import type { useCaseAction } from '../inquiries/useCaseAction';

type Action = ReturnType<typeof useCaseAction>;

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  labelOf: (option: string) => string;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      size="small"
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      sx={{ minWidth: 220 }}
    >
      {props.options.map((o) => (
        <MenuItem key={o} value={o}>
          {props.labelOf(o)}
        </MenuItem>
      ))}
    </TextField>
  );
}

// Recording what was checked about the inquirer: a second staff member countersigns it after.
export function VerificationForm({ inquiryId, action }: { inquiryId: string; action: Action }) {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.identity.${key}`);
  const [method, setMethod] = useState('video_call');
  const [outcome, setOutcome] = useState('verified');
  const [evidence, setEvidence] = useState('');
  const [documentKind, setDocumentKind] = useState('passport');
  const [documentNumber, setDocumentNumber] = useState('');
  const [father, setFather] = useState('');
  const [mother, setMother] = useState('');
  const submit = async () => {
    const answers = [
      father.trim() && { question: 'fathers_first_name', answer: father.trim() },
      mother.trim() && { question: 'mothers_maiden_name', answer: mother.trim() },
    ].filter(Boolean);
    await action
      .run(
        () =>
          api(`/inquiries/${inquiryId}/verifications`, {
            method: 'POST',
            body: {
              method,
              outcome,
              relationshipEvidence: evidence,
              documents: documentNumber.trim()
                ? [{ kind: documentKind, number: documentNumber.trim() }]
                : [],
              answers,
            },
          }),
        { message: 'app.identity.verification_recorded' },
      )
      .then(() => {
        setEvidence('');
        setDocumentNumber('');
        setFather('');
        setMother('');
      })
      .catch(() => undefined);
  };
  return (
    <Stack spacing={1.5} sx={{ mt: 1 }} component="form" aria-label={t('record_verification')}>
      <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
        <Choice
          label={t('method_label')}
          value={method}
          options={['video_call', 'callback_verified_number', 'in_person']}
          labelOf={(o) => t(`method.${o}`)}
          onChange={setMethod}
        />
        <Choice
          label={t('outcome_label')}
          value={outcome}
          options={['verified', 'failed']}
          labelOf={(o) => t(`outcome.${o}`)}
          onChange={setOutcome}
        />
      </Stack>
      <TextField
        size="small"
        label={t('evidence')}
        value={evidence}
        onChange={(e) => setEvidence(e.target.value)}
      />
      <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
        <TextField
          size="small"
          label={t('document_kind')}
          value={documentKind}
          onChange={(e) => setDocumentKind(e.target.value)}
        />
        <TextField
          size="small"
          label={t('document_number')}
          value={documentNumber}
          onChange={(e) => setDocumentNumber(e.target.value)}
          helperText={t('document_number_help')}
        />
      </Stack>
      <Stack sx={{ flexWrap: 'wrap' }} direction="row" spacing={1} useFlexGap>
        <TextField
          size="small"
          label={t('fathers_first_name')}
          value={father}
          onChange={(e) => setFather(e.target.value)}
        />
        <TextField
          size="small"
          label={t('mothers_maiden_name')}
          value={mother}
          onChange={(e) => setMother(e.target.value)}
        />
      </Stack>
      <div>
        <Button
          variant="outlined"
          size="small"
          disabled={action.busy || evidence.trim().length < 3}
          onClick={() => void submit()}
        >
          {t('record_verification')}
        </Button>
      </div>
    </Stack>
  );
}

// The prisoner's decision after an interview, by the signed-in staff member.
export function ConsentForm({ inquiryId, action }: { inquiryId: string; action: Action }) {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.identity.${key}`);
  const [kind, setKind] = useState('disclosure');
  const [decision, setDecision] = useState('given');
  const [day, setDay] = useState(new Date().toISOString().slice(0, 10));
  const submit = () =>
    action
      .run(
        () =>
          api(`/inquiries/${inquiryId}/consents`, {
            method: 'POST',
            body: { kind, decision, interviewedOn: day, interviewedBy: currentSession()?.user.id },
          }),
        { message: 'app.identity.consent_recorded' },
      )
      .catch(() => undefined);
  return (
    <Stack
      direction="row"
      spacing={1}
      useFlexGap
      sx={{ mt: 1, flexWrap: 'wrap', alignItems: 'center' }}
    >
      <Choice
        label={t('consent_kind_label')}
        value={kind}
        options={['disclosure', 'handover']}
        labelOf={(o) => t(`consent_kind.${o}`)}
        onChange={setKind}
      />
      <Choice
        label={t('decision_label')}
        value={decision}
        options={['given', 'refused', 'withdrawn']}
        labelOf={(o) => t(`decision.${o}`)}
        onChange={setDecision}
      />
      <TextField
        size="small"
        type="date"
        label={t('interviewed_on')}
        value={day}
        onChange={(e) => setDay(e.target.value)}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <Button variant="outlined" size="small" disabled={action.busy} onClick={() => void submit()}>
        {t('record_consent')}
      </Button>
    </Stack>
  );
}
