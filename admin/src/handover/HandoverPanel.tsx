import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api, apiUrl } from '../api/http';
import { localInputValue } from '../layout/datetime';
import { currentSession } from '../api/session';
import type { InquiryRecord } from '../inquiries/case-types';
import type { useCaseAction } from '../inquiries/useCaseAction';

type Action = ReturnType<typeof useCaseAction>;

interface Place {
  id: string;
  nameEn: string;
  active: boolean;
}

interface Appointment {
  id: string;
  locationId: string;
  scheduledAt: string;
  officials: string[];
  state: 'scheduled' | 'postponed' | 'failed' | 'awaiting_confirmation' | 'completed';
  reason: string | null;
  arrivalOverrideBy: string | null;
  actNumber: string | null;
  completedBy: string | null;
}

// The handover in Kyiv: the appointment, and its outcome recorded by one official and confirmed
// by a second; the act to print.
export function HandoverPanel(props: {
  record: InquiryRecord;
  action: Action;
  canEdit: boolean;
  canOverride: boolean;
}) {
  const { record, action, canEdit, canOverride } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.handover.${key}`, args);
  const id = record.id;
  const me = currentSession()?.user.id;
  const places = useQuery({
    queryKey: ['handover-places'],
    queryFn: () => api<Place[]>('/handover/locations'),
  });
  const appointments = useQuery({
    queryKey: ['case', id, 'appointments', record.inquiry.version],
    queryFn: () => api<Appointment[]>(`/inquiries/${id}/handover-appointments`),
  });
  const [placeId, setPlaceId] = useState('');
  const [when, setWhen] = useState(() => localInputValue(new Date(Date.now() + 2 * 86_400_000)));
  const [officials, setOfficials] = useState('');
  const [reason, setReason] = useState('');
  const [actNumber, setActNumber] = useState('');
  const [handedAt, setHandedAt] = useState(() => localInputValue(new Date()));
  const post = (path: string, body: unknown, message: string) =>
    action.run(() => api(path, { method: 'POST', body }), { message }).catch(() => undefined);
  const open = appointments.data?.find((a) =>
    ['scheduled', 'awaiting_confirmation', 'completed'].includes(a.state),
  );
  const placeName = (pid: string) => places.data?.find((p) => p.id === pid)?.nameEn ?? pid;

  return (
    <Box component="section" aria-labelledby="handover-heading">
      <Typography id="handover-heading" variant="h6" component="h2" gutterBottom>
        {t('title')}
      </Typography>
      <List disablePadding aria-label={t('appointments')}>
        {appointments.data?.map((a) => (
          <ListItem key={a.id} divider sx={{ display: 'block', px: 0 }} data-testid="appointment">
            <Typography variant="body2">
              {t(`state.${a.state}`)} · {new Date(a.scheduledAt).toLocaleString()} ·{' '}
              {placeName(a.locationId)}
              {a.reason ? ` — ${a.reason}` : ''}
              {a.actNumber ? ` · ${t('act')} ${a.actNumber}` : ''}
            </Typography>
            {a.state === 'scheduled' && canOverride && !a.arrivalOverrideBy && (
              <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
                <TextField
                  size="small"
                  label={t('override_reason')}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
                <Button
                  size="small"
                  disabled={action.busy || reason.trim().length < 3}
                  onClick={() =>
                    void post(
                      `/handover-appointments/${a.id}/arrival-override`,
                      { reason },
                      'app.handover.overridden',
                    )
                  }
                >
                  {t('override')}
                </Button>
              </Stack>
            )}
            {a.state === 'scheduled' && canEdit && (
              <Stack
                direction="row"
                spacing={1}
                sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap' }}
                useFlexGap
              >
                <TextField
                  size="small"
                  type="datetime-local"
                  label={t('handed_at')}
                  value={handedAt}
                  onChange={(e) => setHandedAt(e.target.value)}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                  size="small"
                  label={t('act_number')}
                  value={actNumber}
                  onChange={(e) => setActNumber(e.target.value)}
                />
                <Button
                  size="small"
                  variant="outlined"
                  disabled={action.busy || actNumber.trim().length < 2}
                  onClick={() =>
                    void post(
                      `/handover-appointments/${a.id}/complete`,
                      { handedOverAt: new Date(handedAt).toISOString(), actNumber },
                      'app.handover.completed',
                    )
                  }
                >
                  {t('complete')}
                </Button>
              </Stack>
            )}
            {a.state === 'awaiting_confirmation' && canEdit && a.completedBy !== me && (
              <Button
                size="small"
                variant="contained"
                sx={{ mt: 1 }}
                disabled={action.busy}
                onClick={() =>
                  void post(`/handover-appointments/${a.id}/confirm`, {}, 'app.handover.confirmed')
                }
              >
                {t('confirm')}
              </Button>
            )}
            {a.state === 'awaiting_confirmation' && a.completedBy === me && (
              <Typography variant="body2" color="text.secondary">
                {t('awaiting_other')}
              </Typography>
            )}
            {(a.state === 'completed' || a.state === 'awaiting_confirmation') && (
              <Link
                href={apiUrl(`/handover-appointments/${a.id}/act`)}
                target="_blank"
                rel="noopener"
              >
                {t('print_act')}
              </Link>
            )}
          </ListItem>
        ))}
      </List>
      {canEdit && !open && ['in_transit', 'handover_scheduled'].includes(record.inquiry.status) && (
        <Stack
          spacing={1.5}
          sx={{ mt: 1 }}
          component="form"
          aria-label={t('schedule')}
          onSubmit={(e) => e.preventDefault()}
        >
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }} useFlexGap>
            <TextField
              select
              size="small"
              label={t('place')}
              value={placeId}
              onChange={(e) => setPlaceId(e.target.value)}
              sx={{ minWidth: 240 }}
            >
              {places.data
                ?.filter((p) => p.active)
                .map((p) => (
                  <MenuItem key={p.id} value={p.id}>
                    {p.nameEn}
                  </MenuItem>
                ))}
            </TextField>
            <TextField
              size="small"
              type="datetime-local"
              label={t('when')}
              value={when}
              onChange={(e) => setWhen(e.target.value)}
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Stack>
          <TextField
            size="small"
            label={t('officials')}
            value={officials}
            onChange={(e) => setOfficials(e.target.value)}
            helperText={t('officials_help')}
          />
          <div>
            <Button
              variant="outlined"
              size="small"
              disabled={action.busy || !placeId || !officials.trim()}
              onClick={() =>
                void post(
                  `/inquiries/${id}/handover-appointments`,
                  {
                    locationId: placeId,
                    scheduledAt: new Date(when).toISOString(),
                    officials: officials
                      .split(',')
                      .map((o) => o.trim())
                      .filter(Boolean),
                  },
                  'app.handover.scheduled',
                )
              }
            >
              {t('schedule')}
            </Button>
          </div>
        </Stack>
      )}
    </Box>
  );
}
