import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import { localInputValue } from '../layout/datetime';
import type { InquiryRecord } from './case-types';
import { CALL_OUTCOMES } from './constants';
import type { useCaseAction } from './useCaseAction';

interface Call {
  id: string;
  direction: 'inbound' | 'outbound';
  occurredAt: string;
  durationSeconds: number;
  outcome: string;
  notes: string | null;
}

interface Callback {
  id: string;
  dueAt: string;
  windowMinutes: number;
  phone: string | null;
  notes: string | null;
  // A call the service asks for: a notice to a family who hear from us by phone.
  noticeId: string | null;
  state: 'open' | 'done' | 'missed' | 'cancelled';
  version: number;
}

const when = (iso: string) => new Date(iso).toLocaleString();

// A local date-time input's value for "in an hour", to start the callback form from.
function inAnHour(): string {
  const d = new Date(Date.now() + 60 * 60_000);
  d.setSeconds(0, 0);
  return localInputValue(d);
}

export function ContactsPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canContact: boolean;
}) {
  const { record, action, canContact } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.case.${key}`, args);
  const calls = useQuery({
    queryKey: ['case', record.id, 'calls', record.inquiry.version],
    queryFn: () => api<Call[]>(`/inquiries/${record.id}/calls`),
  });
  const callbacks = useQuery({
    queryKey: ['case', record.id, 'callbacks', record.inquiry.version],
    queryFn: () => api<Callback[]>(`/inquiries/${record.id}/callbacks`),
  });
  const [call, setCall] = useState({
    direction: 'inbound',
    durationSeconds: '60',
    outcome: 'answered',
    notes: '',
  });
  const [callback, setCallback] = useState({ dueAt: inAnHour(), windowMinutes: '60', notes: '' });

  const logCall = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(
        () =>
          api(`/inquiries/${record.id}/calls`, {
            method: 'POST',
            body: {
              direction: call.direction,
              durationSeconds: Number(call.durationSeconds),
              outcome: call.outcome,
              notes: call.notes.trim() || undefined,
            },
          }),
        { message: 'app.case.saved' },
      )
      .then(() => setCall({ ...call, notes: '' }))
      .catch(() => undefined);
  };
  const scheduleCallback = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(
        () =>
          api(`/inquiries/${record.id}/callbacks`, {
            method: 'POST',
            body: {
              dueAt: new Date(callback.dueAt).toISOString(),
              windowMinutes: Number(callback.windowMinutes),
              notes: callback.notes.trim() || undefined,
            },
          }),
        { message: 'app.case.saved' },
      )
      .then(() => setCallback({ ...callback, notes: '' }))
      .catch(() => undefined);
  };
  const close = (cb: Callback, to: 'complete' | 'miss') =>
    void action
      .run(
        () => api(`/callbacks/${cb.id}/${to}`, { method: 'POST', body: { version: cb.version } }),
        {
          message: 'app.case.saved',
        },
      )
      .catch(() => undefined);

  return (
    <Box component="section" aria-labelledby="contacts-heading">
      <Typography id="contacts-heading" variant="h6" component="h2">
        {t('calls')}
      </Typography>
      <Table size="small" aria-label={t('calls')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('occurred')}</TableCell>
            <TableCell>{t('direction')}</TableCell>
            <TableCell>{t('outcome')}</TableCell>
            <TableCell>{t('duration')}</TableCell>
            <TableCell>{translate('app.intake.notes')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {calls.data?.map((c) => (
            <TableRow key={c.id} data-testid="call-row">
              <TableCell>{when(c.occurredAt)}</TableCell>
              <TableCell>{t(c.direction)}</TableCell>
              <TableCell>{translate(`app.outcome.${c.outcome}`)}</TableCell>
              <TableCell>{c.durationSeconds}</TableCell>
              <TableCell>{c.notes}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {canContact && (
        <Box
          component="form"
          onSubmit={logCall}
          sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1 }}
          aria-label={t('log_call')}
        >
          <TextField
            select
            size="small"
            label={t('direction')}
            value={call.direction}
            onChange={(e) => setCall({ ...call, direction: e.target.value })}
          >
            <MenuItem value="inbound">{t('inbound')}</MenuItem>
            <MenuItem value="outbound">{t('outbound')}</MenuItem>
          </TextField>
          <TextField
            select
            size="small"
            label={t('outcome')}
            value={call.outcome}
            onChange={(e) => setCall({ ...call, outcome: e.target.value })}
          >
            {CALL_OUTCOMES.map((o) => (
              <MenuItem key={o} value={o}>
                {translate(`app.outcome.${o}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            type="number"
            label={t('duration')}
            value={call.durationSeconds}
            onChange={(e) => setCall({ ...call, durationSeconds: e.target.value })}
          />
          <TextField
            size="small"
            label={translate('app.intake.notes')}
            value={call.notes}
            onChange={(e) => setCall({ ...call, notes: e.target.value })}
            sx={{ flex: 1, minWidth: 200 }}
          />
          <Button type="submit" variant="outlined" disabled={action.busy}>
            {t('log_call')}
          </Button>
        </Box>
      )}

      <Typography variant="h6" component="h2" sx={{ mt: 3 }}>
        {t('callbacks')}
      </Typography>
      <Table size="small" aria-label={t('callbacks')}>
        <TableBody>
          {callbacks.data?.map((cb) => (
            <TableRow key={cb.id} data-testid="callback-row">
              <TableCell>{when(cb.dueAt)}</TableCell>
              <TableCell>{t('window_of', { n: cb.windowMinutes })}</TableCell>
              <TableCell>{cb.phone}</TableCell>
              <TableCell sx={{ whiteSpace: 'pre-wrap' }}>
                {cb.noticeId && (
                  <Chip size="small" color="info" label={t('notice_call')} sx={{ mb: 0.5 }} />
                )}
                {cb.noticeId && <br />}
                {cb.notes}
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  label={t(
                    cb.state === 'done' ? 'done' : cb.state === 'missed' ? 'miss' : cb.state,
                  )}
                />
              </TableCell>
              <TableCell>
                {canContact && cb.state === 'open' && (
                  <>
                    <Button size="small" onClick={() => close(cb, 'complete')}>
                      {t('complete')}
                    </Button>
                    <Button size="small" onClick={() => close(cb, 'miss')}>
                      {t('missed')}
                    </Button>
                  </>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {canContact && (
        <Box
          component="form"
          onSubmit={scheduleCallback}
          sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1 }}
          aria-label={t('schedule_callback')}
        >
          <TextField
            size="small"
            type="datetime-local"
            label={t('due_at')}
            value={callback.dueAt}
            onChange={(e) => setCallback({ ...callback, dueAt: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            size="small"
            type="number"
            label={t('window_minutes')}
            value={callback.windowMinutes}
            onChange={(e) => setCallback({ ...callback, windowMinutes: e.target.value })}
          />
          <TextField
            size="small"
            label={translate('app.intake.notes')}
            value={callback.notes}
            onChange={(e) => setCallback({ ...callback, notes: e.target.value })}
            sx={{ flex: 1, minWidth: 200 }}
          />
          <Button type="submit" variant="outlined" disabled={action.busy}>
            {t('schedule_callback')}
          </Button>
        </Box>
      )}
    </Box>
  );
}
