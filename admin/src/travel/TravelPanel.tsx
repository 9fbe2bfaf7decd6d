import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import { localInputValue } from '../layout/datetime';
import type { InquiryRecord } from '../inquiries/case-types';
import type { useCaseAction } from '../inquiries/useCaseAction';

type Action = ReturnType<typeof useCaseAction>;

interface Crossing {
  id: string;
  nameEn: string;
  nameUk: string;
  open: boolean;
}

interface Plan {
  version: number;
  originCity: string | null;
  originCountry: string | null;
  plannedEntryIntoPoland: string | null;
  crossingPointId: string | null;
  plannedCrossingAt: string | null;
  escortName: string | null;
  escortPhone: string | null;
  crossingOverdue: boolean;
  travellers: {
    fullName: string;
    isInquirer: boolean;
    documentKind: string;
    documentLast4: string;
  }[];
}

interface Step {
  id: string;
  step: string;
  occurredAt: string;
}

const STEPS = [
  'entered_poland',
  'at_crossing',
  'crossed_into_ukraine',
  'met_by_escort',
  'arrived_in_kyiv',
];

// The form's fields from the saved plan (or the inquirer's city and country for a new one).
function formOf(p: Plan | null, record: InquiryRecord) {
  return {
    originCity: p?.originCity ?? record.inquirer.city ?? '',
    originCountry: p?.originCountry ?? record.inquirer.country ?? '',
    plannedEntryIntoPoland: p?.plannedEntryIntoPoland ?? '',
    crossingPointId: p?.crossingPointId ?? '',
    plannedCrossingAt: localInputValue(p?.plannedCrossingAt),
    escortName: p?.escortName ?? '',
    escortPhone: p?.escortPhone ?? '',
    documentKind: 'passport',
    documentNumber: '',
  };
}

// The journey: the plan (crossing point, dates, escort, who travels) and the steps on the way.
export function TravelPanel(props: { record: InquiryRecord; action: Action; canEdit: boolean }) {
  const plan = useQuery({
    queryKey: ['case', props.record.id, 'plan', props.record.inquiry.version],
    queryFn: () => api<Plan>(`/inquiries/${props.record.id}/travel-plan`).catch(() => null),
  });
  if (!plan.isFetched) return null;
  // Keyed by the plan's version: the form starts again from the plan as saved.
  return <Journey key={plan.data?.version ?? 0} {...props} plan={plan.data ?? null} />;
}

function Journey(props: {
  record: InquiryRecord;
  action: Action;
  canEdit: boolean;
  plan: Plan | null;
}) {
  const { record, action, canEdit } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.travel.${key}`, args);
  const id = record.id;
  const crossings = useQuery({
    queryKey: ['crossings'],
    queryFn: () => api<Crossing[]>('/travel/crossings'),
  });
  const plan = { data: props.plan };
  const steps = useQuery({
    queryKey: ['case', id, 'steps', record.inquiry.version],
    queryFn: () => api<Step[]>(`/inquiries/${id}/travel-events`),
  });
  const [form, setForm] = useState(() => formOf(plan.data ?? null, record));
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const save = () =>
    action
      .run(
        () =>
          api(`/inquiries/${id}/travel-plan`, {
            method: 'PUT',
            body: {
              version: plan.data?.version ?? 0,
              originCity: form.originCity || undefined,
              originCountry: form.originCountry || undefined,
              plannedEntryIntoPoland: form.plannedEntryIntoPoland || undefined,
              crossingPointId: form.crossingPointId || undefined,
              plannedCrossingAt: form.plannedCrossingAt
                ? new Date(form.plannedCrossingAt).toISOString()
                : undefined,
              escortName: form.escortName || undefined,
              escortPhone: form.escortPhone || undefined,
              travellers: [
                {
                  isInquirer: true,
                  fullName: record.inquirer.fullName,
                  documentKind: form.documentKind,
                  documentNumber: form.documentNumber,
                },
              ],
            },
          }),
        { message: 'app.travel.saved' },
      )
      .catch(() => undefined);
  const recorded = new Set(steps.data?.map((s) => s.step));
  const next = STEPS.find((s) => !recorded.has(s));
  const [stepAt, setStepAt] = useState(() => localInputValue(new Date()));
  const record_ = () =>
    action
      .run(
        () =>
          api(`/inquiries/${id}/travel-events`, {
            method: 'POST',
            body: { step: next, occurredAt: new Date(stepAt).toISOString() },
          }),
        { message: 'app.travel.step_recorded' },
      )
      .catch(() => undefined);

  return (
    <Box component="section" aria-labelledby="travel-heading">
      <Typography id="travel-heading" variant="h6" component="h2" gutterBottom>
        {t('title')}
      </Typography>
      {plan.data?.crossingOverdue && (
        <Alert severity="error" sx={{ mb: 1 }}>
          {t('overdue')}
        </Alert>
      )}
      {plan.data && (
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="plan-summary">
          {t('version', { version: plan.data.version })} ·{' '}
          {plan.data.travellers
            .map((tr) => `${tr.fullName} (${tr.documentKind} …${tr.documentLast4})`)
            .join(', ')}
        </Typography>
      )}
      {canEdit && (
        <Stack
          spacing={1.5}
          component="form"
          aria-label={t('plan')}
          onSubmit={(e) => e.preventDefault()}
        >
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }} useFlexGap>
            <TextField
              size="small"
              label={t('origin_city')}
              value={form.originCity}
              onChange={set('originCity')}
            />
            <TextField
              size="small"
              label={t('origin_country')}
              value={form.originCountry}
              onChange={set('originCountry')}
            />
            <TextField
              size="small"
              type="date"
              label={t('entry')}
              value={form.plannedEntryIntoPoland}
              onChange={set('plannedEntryIntoPoland')}
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Stack>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }} useFlexGap>
            <TextField
              select
              size="small"
              label={t('crossing')}
              value={form.crossingPointId}
              onChange={set('crossingPointId')}
              sx={{ minWidth: 260 }}
            >
              {crossings.data?.map((c) => (
                <MenuItem key={c.id} value={c.id} disabled={!c.open}>
                  {c.nameEn}
                  {c.open ? '' : ` (${t('closed')})`}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              size="small"
              type="datetime-local"
              label={t('crossing_at')}
              value={form.plannedCrossingAt}
              onChange={set('plannedCrossingAt')}
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Stack>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }} useFlexGap>
            <TextField
              size="small"
              label={t('escort_name')}
              value={form.escortName}
              onChange={set('escortName')}
            />
            <TextField
              size="small"
              label={t('escort_phone')}
              value={form.escortPhone}
              onChange={set('escortPhone')}
            />
          </Stack>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }} useFlexGap>
            <TextField
              size="small"
              label={t('document_kind')}
              value={form.documentKind}
              onChange={set('documentKind')}
            />
            <TextField
              size="small"
              label={t('document_number')}
              value={form.documentNumber}
              onChange={set('documentNumber')}
              helperText={t('document_help')}
            />
          </Stack>
          <div>
            <Button
              variant="outlined"
              size="small"
              disabled={action.busy || form.documentNumber.length < 4}
              onClick={() => void save()}
            >
              {t('save')}
            </Button>
          </div>
        </Stack>
      )}
      <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
        {t('steps')}
      </Typography>
      <List disablePadding aria-label={t('steps')}>
        {steps.data?.map((s) => (
          <ListItem key={s.id} divider sx={{ px: 0 }} data-testid="travel-step">
            <Typography variant="body2">
              {t(`step.${s.step}`)} · {new Date(s.occurredAt).toLocaleString()}
            </Typography>
          </ListItem>
        ))}
      </List>
      {canEdit && next && ['in_transit', 'handover_scheduled'].includes(record.inquiry.status) && (
        <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
          <TextField
            size="small"
            type="datetime-local"
            label={t('step_at')}
            value={stepAt}
            onChange={(e) => setStepAt(e.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <Button
            variant="outlined"
            size="small"
            disabled={action.busy}
            onClick={() => void record_()}
          >
            {t('record_step', { step: t(`step.${next}`) })}
          </Button>
        </Stack>
      )}
    </Box>
  );
}
