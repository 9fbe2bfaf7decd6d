import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useFormContext } from 'react-hook-form';
import {
  Create,
  NumberInput,
  SaveButton,
  SelectInput,
  SimpleForm,
  TextInput,
  Toolbar,
  required,
  setSubmissionErrors,
  useCreate,
  useNotify,
  useRedirect,
  useTranslate,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { api, problemOf } from '../api/http';
import {
  CHANNELS,
  FAMILY_CHANNELS,
  LANGUAGES,
  PRIORITIES,
  RELATIONSHIPS,
  choices,
} from './constants';

interface Candidate {
  id: string;
  reference: string;
  status: string;
  inquirerName: string;
  soughtPersonName: string;
  samePhone: boolean;
  sameEmail: boolean;
}

type FormValues = Record<string, unknown> & {
  inquirer?: Record<string, unknown>;
  soughtPerson?: Record<string, unknown>;
};

const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(/[,;\n]/)
        .map((v) => v.trim())
        .filter(Boolean)
    : Array.isArray(value)
      ? value
      : [];

// Blank inputs are left out rather than sent as empty strings.
const compact = (o: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== '' && v !== null && v !== undefined),
  );

// The form's values as POST /api/inquiries takes them.
export function toCreateBody(values: FormValues) {
  return {
    channel: values.channel,
    priority: values.priority,
    inquirer: {
      ...compact(values.inquirer),
      phones: list(values.inquirer?.phones),
      emails: list(values.inquirer?.emails),
    },
    soughtPerson: compact(values.soughtPerson),
  };
}

// Saving asks the server for possible duplicates first; if there are any, the operator sees them
// and chooses: open one of them, or save a new inquiry anyway.
function IntakeToolbar() {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const form = useFormContext<FormValues>();
  const [create, { isPending }] = useCreate();
  const [candidates, setCandidates] = useState<Candidate[]>();
  const [body, setBody] = useState<ReturnType<typeof toCreateBody>>();

  const save = async (payload: ReturnType<typeof toCreateBody>) => {
    setCandidates(undefined);
    await create(
      'inquiries',
      { data: payload },
      {
        returnPromise: true,
        onSuccess: (data: { id: string; inquiry: { reference: string } }) => {
          notify('app.intake.created', {
            type: 'success',
            messageArgs: { reference: data.inquiry.reference },
          });
          redirect('show', 'inquiries', data.id);
        },
      },
    ).catch((error: unknown) => showErrors(error));
  };

  const showErrors = (error: unknown) => {
    const errors = problemOf(error)?.errors;
    if (errors) {
      setSubmissionErrors(errors, form.setError);
    }
    notify(error instanceof Error ? error.message : String(error), { type: 'error' });
  };

  const check = form.handleSubmit(async (values) => {
    const payload = toCreateBody(values);
    try {
      const found = await api<Candidate[]>('/inquiries/duplicate-check', {
        method: 'POST',
        body: payload,
      });
      if (found.length === 0) return save(payload);
      setBody(payload);
      setCandidates(found);
    } catch (error) {
      showErrors(error);
    }
  });

  return (
    <Toolbar>
      <SaveButton
        type="button"
        label="app.intake.check_and_save"
        onClick={(e) => {
          e.preventDefault();
          void check();
        }}
        disabled={isPending}
        alwaysEnable
      />
      <Dialog
        open={Boolean(candidates)}
        onClose={() => setCandidates(undefined)}
        aria-labelledby="duplicates-title"
      >
        <DialogTitle id="duplicates-title">{translate('app.intake.duplicates_title')}</DialogTitle>
        <DialogContent>
          <Alert severity="warning">{translate('app.intake.duplicates_help')}</Alert>
          <List>
            {candidates?.map((c) => (
              <ListItem
                key={c.id}
                component={Link}
                to={`/inquiries/${c.id}/show`}
                data-testid="duplicate-candidate"
              >
                <ListItemText
                  primary={`${c.reference} — ${c.soughtPersonName}`}
                  secondary={`${c.inquirerName} · ${translate(`app.status.${c.status}`)}`}
                />
              </ListItem>
            ))}
          </List>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setCandidates(undefined)}>{translate('ra.action.cancel')}</Button>
          <Button variant="contained" onClick={() => body && void save(body)} disabled={isPending}>
            {translate('app.intake.save_anyway')}
          </Button>
        </DialogActions>
      </Dialog>
    </Toolbar>
  );
}

export function InquiryCreate() {
  const translate = useTranslate();
  return (
    <Create title="app.intake.title" redirect="show">
      <SimpleForm
        toolbar={<IntakeToolbar />}
        defaultValues={{
          channel: 'phone',
          priority: 'normal',
          inquirer: { relationship: 'mother', preferredLanguage: 'ru', preferredChannel: 'email' },
        }}
      >
        <Typography variant="h6" component="h2">
          {translate('app.intake.inquirer')}
        </Typography>
        <TextInput
          source="inquirer.fullName"
          label="app.intake.full_name"
          validate={required()}
          fullWidth
        />
        <SelectInput
          source="inquirer.relationship"
          label="app.intake.relationship"
          choices={choices(RELATIONSHIPS, 'app.relationship')}
          validate={required()}
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
        <TextInput source="inquirer.country" label="app.intake.country" />
        <TextInput source="inquirer.city" label="app.intake.city" />
        <TextInput source="inquirer.notes" label="app.intake.notes" multiline fullWidth />

        <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
          {translate('app.intake.sought_person')}
        </Typography>
        <TextInput source="soughtPerson.surname" label="app.intake.surname" validate={required()} />
        <TextInput source="soughtPerson.givenName" label="app.intake.given_name" />
        <TextInput source="soughtPerson.patronymic" label="app.intake.patronymic" />
        <NumberInput source="soughtPerson.birthYear" label="app.intake.birth_year" step={1} />
        <NumberInput source="soughtPerson.birthMonth" label="app.intake.birth_month" step={1} />
        <NumberInput source="soughtPerson.birthDay" label="app.intake.birth_day" step={1} />
        <TextInput source="soughtPerson.placeOfBirth" label="app.intake.place_of_birth" />
        <TextInput source="soughtPerson.militaryUnit" label="app.intake.military_unit" />
        <TextInput source="soughtPerson.rank" label="app.intake.rank" />
        <TextInput source="soughtPerson.personalNumber" label="app.intake.personal_number" />
        <TextInput source="soughtPerson.mothersMaidenName" label="app.intake.mothers_maiden_name" />
        <TextInput source="soughtPerson.fathersFirstName" label="app.intake.fathers_first_name" />
        <TextInput
          source="soughtPerson.distinguishingMarks"
          label="app.intake.distinguishing_marks"
          multiline
          fullWidth
        />
        <SelectInput
          source="channel"
          label="app.intake.channel"
          choices={choices(CHANNELS, 'app.channel')}
        />
        <SelectInput
          source="priority"
          label="app.intake.priority"
          choices={choices(PRIORITIES, 'app.priority')}
        />
      </SimpleForm>
    </Create>
  );
}
