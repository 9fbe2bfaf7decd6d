import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import { currentSession } from '../api/session';
import type { InquiryRecord } from './case-types';
import type { useCaseAction } from './useCaseAction';

interface ContactChange {
  id: string;
  kind: 'email' | 'phone';
  value: string;
  state: 'pending' | 'approved' | 'rejected' | 'superseded';
  requestedBy: string;
  requestedAt: string;
  decidedAt: string | null;
  reason: string | null;
}

// A verified family's new addresses and numbers: nothing goes to one until a supervisor other
// than the person who entered it approves it. Shown only when there are any.
export function ContactChangesPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canDecide: boolean;
}) {
  const { record, action, canDecide } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.contact_changes.${key}`, args);
  const me = currentSession()?.user.id;
  const [rejecting, setRejecting] = useState<string>();
  const [reason, setReason] = useState('');
  const changes = useQuery({
    queryKey: ['case', record.id, 'contact-changes', record.inquiry.version],
    queryFn: () => api<ContactChange[]>(`/inquiries/${record.id}/contact-changes`),
  });
  const items = changes.data ?? [];
  if (items.length === 0) return null;
  const decide = (id: string, what: 'approve' | 'reject', body: object = {}) =>
    action
      .run(() => api(`/contact-changes/${id}/${what}`, { method: 'POST', body }), {
        message: `app.contact_changes.${what === 'approve' ? 'approved' : 'rejected'}`,
      })
      .then(() => void changes.refetch())
      .catch(() => undefined);
  const pending = items.filter((c) => c.state === 'pending');
  return (
    <Box component="section" aria-labelledby="contact-changes-heading" sx={{ mt: 2 }}>
      <Typography id="contact-changes-heading" variant="subtitle1" component="h3">
        {t('title')}
      </Typography>
      {pending.length > 0 && (
        <Alert severity="warning" sx={{ my: 1 }}>
          {t('pending_help')}
        </Alert>
      )}
      <List disablePadding aria-label={t('title')}>
        {items.map((c) => (
          <ListItem
            key={c.id}
            divider
            sx={{ display: 'block', px: 0 }}
            data-testid="contact-change"
          >
            <Typography variant="body2">
              {t(`kind.${c.kind}`)}: {c.value} · {t(`state.${c.state}`)}
              {c.reason ? ` — ${c.reason}` : ''}
            </Typography>
            {c.state === 'pending' && canDecide && c.requestedBy !== me && (
              <Stack direction="row" spacing={1} sx={{ mt: 0.5, alignItems: 'center' }}>
                <Button
                  size="small"
                  variant="contained"
                  disabled={action.busy}
                  onClick={() => void decide(c.id, 'approve')}
                >
                  {t('approve')}
                </Button>
                {rejecting !== c.id ? (
                  <Button size="small" onClick={() => setRejecting(c.id)}>
                    {t('reject')}
                  </Button>
                ) : (
                  <>
                    <TextField
                      size="small"
                      label={t('reason')}
                      value={reason}
                      onChange={(e) => setReason(e.target.value)}
                    />
                    <Button
                      size="small"
                      variant="outlined"
                      disabled={action.busy || reason.trim().length < 3}
                      onClick={() =>
                        void decide(c.id, 'reject', { reason }).then(() => {
                          setRejecting(undefined);
                          setReason('');
                        })
                      }
                    >
                      {t('reject_confirm')}
                    </Button>
                  </>
                )}
              </Stack>
            )}
            {c.state === 'pending' && c.requestedBy === me && (
              <Typography variant="body2" color="text.secondary">
                {t('awaiting_other')}
              </Typography>
            )}
          </ListItem>
        ))}
      </List>
    </Box>
  );
}
