import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useGetList, useNotify, useTranslate } from 'react-admin';
import { api, problemOf } from '../api/http';

interface Entry {
  id: string;
  at: string;
  channel: 'email' | 'phone' | 'in_person' | 'paper_letter';
  direction: 'inbound' | 'outbound';
  inquiryId: string;
  reference: string;
  staffId: string | null;
  subject: string | null;
  text: string | null;
  attachments: number | null;
  outcome: string | null;
  durationSeconds: number | null;
  event: string | null;
  needsReview: boolean | null;
}

interface StaffEntry {
  id: string;
  displayName: string;
}

// Everything said between the service and this person, on any of their cases, newest first; a
// visit or a letter on paper is recorded here on the case it belongs to.
export function Conversation({
  personId,
  inquiries,
  canRecord,
}: {
  personId: string;
  inquiries: { id: string; reference: string }[];
  canRecord: boolean;
}) {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.people.conversation.${key}`, args);
  const notify = useNotify();
  const queryClient = useQueryClient();
  const staff = useGetList<StaffEntry>('staff', { pagination: { page: 1, perPage: 1000 } });
  const conversation = useQuery({
    queryKey: ['person', personId, 'conversation'],
    queryFn: () => api<{ items: Entry[] }>(`/inquirers/${personId}/conversation`),
  });
  const [draft, setDraft] = useState({
    inquiryId: inquiries.at(-1)?.id ?? '',
    channel: 'paper_letter',
    direction: 'inbound',
    text: '',
  });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const who = (e: Entry) =>
    e.staffId
      ? (staff.data?.find((s) => s.id === e.staffId)?.displayName ??
        translate('app.system_actor.staff'))
      : e.direction === 'inbound'
        ? t('family')
        : t('service');
  const what = (e: Entry) =>
    [
      e.event ? translate(`app.mail.event.${e.event}`, { _: '' }) : '',
      e.outcome ? translate(`app.outcome.${e.outcome}`, { _: '' }) : '',
      e.durationSeconds ? t('minutes', { n: Math.max(1, Math.round(e.durationSeconds / 60)) }) : '',
      e.attachments ? t('attachments', { n: e.attachments }) : '',
      e.needsReview ? t('needs_review') : '',
    ]
      .filter(Boolean)
      .join(' · ');

  const record = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/inquiries/${draft.inquiryId}/messages`, {
        method: 'POST',
        body: { channel: draft.channel, direction: draft.direction, text: draft.text },
      });
      notify('app.people.conversation.recorded', { type: 'success' });
      setDraft({ ...draft, text: '' });
      await queryClient.invalidateQueries({ queryKey: ['person', personId, 'conversation'] });
    } catch (e) {
      setError(problemOf(e)?.errors ? t('text_required') : t('failed'));
    } finally {
      setBusy(false);
    }
  };

  const items = conversation.data?.items ?? [];
  return (
    <Card sx={{ mb: 2 }} data-testid="conversation">
      <CardContent>
        <Typography variant="h6" component="h2">
          {t('title')}
        </Typography>
        {conversation.isSuccess && items.length === 0 && (
          <Typography variant="body2">{t('empty')}</Typography>
        )}
        <Stack component="ol" spacing={1} sx={{ listStyle: 'none', p: 0, m: 0, mt: 1 }}>
          {items.map((e) => (
            <Box
              component="li"
              key={`${e.channel}-${e.id}`}
              sx={{
                borderLeft: 3,
                borderColor: e.direction === 'inbound' ? 'primary.main' : 'grey.400',
                pl: 1,
              }}
            >
              <Typography variant="caption" color="text.secondary">
                {new Date(e.at).toLocaleString('uk-UA')} ·{' '}
                {translate(`app.channel.${e.channel}`, { _: e.channel })} · {t(e.direction)} ·{' '}
                {e.reference} · {who(e)}
              </Typography>
              {e.subject && <Typography variant="body2">{e.subject}</Typography>}
              {e.text && (
                <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                  {e.text}
                </Typography>
              )}
              {what(e) && (
                <Typography variant="body2" color="text.secondary">
                  {what(e)}
                </Typography>
              )}
            </Box>
          ))}
        </Stack>
        {canRecord && inquiries.length > 0 && (
          <Box
            component="form"
            sx={{ mt: 2, display: 'grid', gap: 1, gridTemplateColumns: { md: '1fr 1fr 1fr' } }}
            onSubmit={(event) => {
              event.preventDefault();
              void record();
            }}
          >
            <TextField
              select
              size="small"
              label={t('case')}
              value={draft.inquiryId}
              onChange={(event) => setDraft({ ...draft, inquiryId: event.target.value })}
            >
              {inquiries.map((i) => (
                <MenuItem key={i.id} value={i.id}>
                  {i.reference}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              size="small"
              label={t('channel')}
              value={draft.channel}
              onChange={(event) => setDraft({ ...draft, channel: event.target.value })}
            >
              {['paper_letter', 'in_person'].map((c) => (
                <MenuItem key={c} value={c}>
                  {translate(`app.channel.${c}`)}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              size="small"
              label={t('direction')}
              value={draft.direction}
              onChange={(event) => setDraft({ ...draft, direction: event.target.value })}
            >
              {['inbound', 'outbound'].map((d) => (
                <MenuItem key={d} value={d}>
                  {t(d)}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              multiline
              minRows={2}
              label={t('text')}
              value={draft.text}
              error={!!error}
              helperText={error ?? ' '}
              onChange={(event) => setDraft({ ...draft, text: event.target.value })}
              sx={{ gridColumn: '1 / -1' }}
            />
            <Box>
              <Button type="submit" variant="outlined" disabled={busy || !draft.text.trim()}>
                {t('record')}
              </Button>
            </Box>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
