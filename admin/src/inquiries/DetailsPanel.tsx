import Box from '@mui/material/Box';
import Link from '@mui/material/Link';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { useState, type ReactNode } from 'react';
import { Form, NumberInput, SaveButton, SelectInput, TextInput, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api, problemOf } from '../api/http';
import type { InquiryRecord } from './case-types';
import { FAMILY_CHANNELS, LANGUAGES, PRIORITIES, RELATIONSHIPS, choices } from './constants';
import type { useCaseAction } from './useCaseAction';

function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <>
      <Typography component="dt" variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0 }}>
        {children}
      </Typography>
    </>
  );
}

const Dl = ({ children }: { children: ReactNode }) => (
  <Box
    component="dl"
    sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5 }}
  >
    {children}
  </Box>
);

const birth = (p: NonNullable<InquiryRecord['soughtPerson']>) =>
  [
    p.birthYear,
    p.birthMonth && String(p.birthMonth).padStart(2, '0'),
    p.birthDay && String(p.birthDay).padStart(2, '0'),
  ]
    .filter(Boolean)
    .join('-');

// What changed between the form's first values and its last, per section: PATCH takes only those.
function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const normalised = value === '' ? null : value;
    if (JSON.stringify(normalised) !== JSON.stringify(before[key] ?? null)) out[key] = normalised;
  }
  return out;
}

const splitList = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/[,;\n]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

export function DetailsPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canEdit: boolean;
}) {
  const { record, action, canEdit } = props;
  const translate = useTranslate();
  const [editing, setEditing] = useState(false);
  const { inquirer, soughtPerson: person } = record;
  const t = (key: string) => translate(`app.intake.${key}`);

  const initial = {
    priority: record.inquiry.priority,
    inquirer: {
      ...inquirer,
      phones: inquirer.phones.join(', '),
      emails: inquirer.emails.join(', '),
    },
    soughtPerson: person ?? {},
  };
  // Opened with the version the page shows: if someone saves in between, the server says so.
  const version = record.inquiry.version;

  const submit = async (values: Record<string, unknown>) => {
    const v = values as typeof initial;
    const inquirerAfter = {
      ...v.inquirer,
      phones: splitList(v.inquirer.phones),
      emails: splitList(v.inquirer.emails),
    };
    const body: Record<string, unknown> = { version };
    if (v.priority !== record.inquiry.priority) body.priority = v.priority;
    const inquirerChanges = changes(inquirer as unknown as Record<string, unknown>, inquirerAfter);
    const personChanges = changes(
      (person ?? {}) as Record<string, unknown>,
      v.soughtPerson as Record<string, unknown>,
    );
    if (Object.keys(inquirerChanges).length) body.inquirer = inquirerChanges;
    if (Object.keys(personChanges).length) body.soughtPerson = personChanges;
    try {
      await action.run(() => api(`/inquiries/${record.id}`, { method: 'PATCH', body }), {
        message: 'app.case.saved',
      });
      setEditing(false);
    } catch (error) {
      const problem = problemOf(error);
      if (problem?.code === 'stale_version') setEditing(false);
      if (problem?.errors) return problem.errors;
    }
  };

  return (
    <Box component="section" aria-labelledby="details-heading">
      <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography id="details-heading" variant="h6" component="h2">
          {translate('app.case.details')}
        </Typography>
        {canEdit && (
          <Button onClick={() => setEditing(true)} disabled={action.busy}>
            {translate('app.case.edit')}
          </Button>
        )}
      </Box>
      <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
        {t('inquirer')}
      </Typography>
      <Dl>
        <Row label={t('full_name')}>
          <Link component={RouterLink} to={`/persons/${inquirer.id}`} data-testid="person-link">
            {inquirer.fullName}
          </Link>
        </Row>
        <Row label={t('relationship')}>
          {translate(`app.relationship.${inquirer.relationship}`)}
        </Row>
        <Row label={t('phones')}>{inquirer.phones.join(', ')}</Row>
        <Row label={t('emails')}>{inquirer.emails.join(', ')}</Row>
        <Row label={t('preferred_language')}>
          {translate(`app.language.${inquirer.preferredLanguage}`)}
        </Row>
        <Row label={t('preferred_channel')}>
          {translate(`app.family_channel.${inquirer.preferredChannel}`)}
        </Row>
        <Row label={t('city')}>{[inquirer.city, inquirer.country].filter(Boolean).join(', ')}</Row>
        <Row label={t('notes')}>{inquirer.notes}</Row>
      </Dl>
      {person && (
        <>
          <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
            {t('sought_person')}
          </Typography>
          <Dl>
            <Row label={t('surname')}>{person.surname}</Row>
            <Row label={t('given_name')}>{person.givenName}</Row>
            <Row label={t('patronymic')}>{person.patronymic}</Row>
            <Row label={t('birth_year')}>{birth(person)}</Row>
            <Row label={t('place_of_birth')}>{person.placeOfBirth}</Row>
            <Row label={t('military_unit')}>{person.militaryUnit}</Row>
            <Row label={t('rank')}>{person.rank}</Row>
            <Row label={t('personal_number')}>{person.personalNumber}</Row>
            <Row label={t('mothers_maiden_name')}>{person.mothersMaidenName}</Row>
            <Row label={t('fathers_first_name')}>{person.fathersFirstName}</Row>
            <Row label={t('distinguishing_marks')}>{person.distinguishingMarks}</Row>
          </Dl>
        </>
      )}
      <Dialog
        open={editing}
        onClose={() => setEditing(false)}
        aria-labelledby="edit-title"
        fullWidth
        maxWidth="md"
      >
        <Form defaultValues={initial} onSubmit={submit} record={initial}>
          <DialogTitle id="edit-title">{translate('app.case.edit')}</DialogTitle>
          <DialogContent>
            <SelectInput
              source="priority"
              label="app.intake.priority"
              choices={choices(PRIORITIES, 'app.priority')}
            />
            <Typography variant="subtitle2">{t('inquirer')}</Typography>
            <TextInput source="inquirer.fullName" label="app.intake.full_name" fullWidth />
            <SelectInput
              source="inquirer.relationship"
              label="app.intake.relationship"
              choices={choices(RELATIONSHIPS, 'app.relationship')}
            />
            <TextInput source="inquirer.phones" label="app.intake.phones" fullWidth />
            <TextInput source="inquirer.emails" label="app.intake.emails" fullWidth />
            <SelectInput
              source="inquirer.preferredLanguage"
              label="app.intake.preferred_language"
              choices={choices(LANGUAGES, 'app.language')}
            />
            <SelectInput
              source="inquirer.preferredChannel"
              label="app.intake.preferred_channel"
              choices={choices(FAMILY_CHANNELS, 'app.family_channel')}
            />
            <TextInput source="inquirer.city" label="app.intake.city" />
            <TextInput source="inquirer.notes" label="app.intake.notes" multiline fullWidth />
            <Typography variant="subtitle2">{t('sought_person')}</Typography>
            <TextInput source="soughtPerson.surname" label="app.intake.surname" />
            <TextInput source="soughtPerson.givenName" label="app.intake.given_name" />
            <TextInput source="soughtPerson.patronymic" label="app.intake.patronymic" />
            <NumberInput source="soughtPerson.birthYear" label="app.intake.birth_year" />
            <TextInput source="soughtPerson.militaryUnit" label="app.intake.military_unit" />
            <TextInput
              source="soughtPerson.distinguishingMarks"
              label="app.intake.distinguishing_marks"
              multiline
              fullWidth
            />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setEditing(false)}>{translate('ra.action.cancel')}</Button>
            <SaveButton label="app.case.save" alwaysEnable />
          </DialogActions>
        </Form>
      </Dialog>
    </Box>
  );
}
