import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import type { InquiryRecord } from './case-types';
import type { useCaseAction } from './useCaseAction';

interface OutboxItem {
  id: string;
  eventType: string;
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'cancelled';
  subject: string | null;
  lastError: string | null;
  gateReason: string | null;
  createdAt: string;
  sentAt: string | null;
}

const STATE_COLOURS: Record<string, string> = {
  sent: '#1b5e20',
  failed: '#b71c1c',
  suppressed: '#5d4037',
  cancelled: '#546e7a',
};

// The case's mail: what was sent, what is waiting, what failed and why (a supervisor can send a
// failed message again or give it up); and a letter to the family in the caseworker's words.
export function EmailsPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canList: boolean;
  canWrite: boolean;
  canManage: boolean;
}) {
  const { record, action, canList, canWrite, canManage } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.mail.${key}`, args);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const messages = useQuery({
    queryKey: ['case', record.id, 'outbox', record.inquiry.version],
    queryFn: () =>
      api<{ items: OutboxItem[] }>('/outbox', { query: { inquiryId: record.id, pageSize: 100 } }),
    enabled: canList,
  });

  const write = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(
        () => api(`/inquiries/${record.id}/emails`, { method: 'POST', body: { subject, body } }),
        { message: 'app.mail.queued' },
      )
      .then(() => {
        setSubject('');
        setBody('');
        void messages.refetch();
      })
      .catch(() => undefined);
  };
  const change = (item: OutboxItem, to: 'retry' | 'cancel') =>
    void action
      .run(() => api(`/outbox/${item.id}/${to}`, { method: 'POST', body: {} }), {
        message: 'app.case.saved',
      })
      .then(() => messages.refetch())
      .catch(() => undefined);

  return (
    <Box component="section" aria-labelledby="emails-heading">
      <Typography id="emails-heading" variant="h6" component="h2">
        {t('title')}
      </Typography>
      {canList && (
        <Table size="small" aria-label={t('title')}>
          <TableBody>
            {messages.data?.items.map((m) => (
              <TableRow key={m.id} data-testid="email-row" data-state={m.state}>
                <TableCell>{new Date(m.sentAt ?? m.createdAt).toLocaleString()}</TableCell>
                <TableCell>
                  {m.subject ?? translate(`app.mail.event.${m.eventType}`, { _: m.eventType })}
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={t(`state.${m.state}`)}
                    sx={
                      STATE_COLOURS[m.state]
                        ? { bgcolor: STATE_COLOURS[m.state], color: '#fff' }
                        : undefined
                    }
                  />
                  {(m.gateReason || m.lastError) && (
                    <Typography variant="caption" component="p" color="text.secondary">
                      {m.gateReason
                        ? translate(`app.notice_reason.${m.gateReason}`, { _: m.lastError ?? '' })
                        : m.lastError}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  {canManage && (m.state === 'failed' || m.state === 'suppressed') && (
                    <>
                      <Button size="small" onClick={() => change(m, 'retry')}>
                        {t('retry')}
                      </Button>
                      <Button size="small" onClick={() => change(m, 'cancel')}>
                        {t('cancel')}
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {canWrite && (
        <Box component="form" onSubmit={write} aria-label={t('write')} sx={{ mt: 2 }}>
          <TextField
            size="small"
            label={t('subject')}
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            required
            fullWidth
            margin="dense"
          />
          <TextField
            size="small"
            label={t('body')}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            required
            fullWidth
            multiline
            minRows={3}
            margin="dense"
            helperText={t('body_help')}
          />
          <Button type="submit" variant="outlined" disabled={action.busy}>
            {t('send')}
          </Button>
        </Box>
      )}
    </Box>
  );
}
