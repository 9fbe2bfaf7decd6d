import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { api } from '../api/http';

// The family's status link: a new one (shown once, to read out or send; the old ones stop
// working), or all of them revoked when one has leaked.
export function StatusLinkPanel(props: { inquiryId: string; canRevoke: boolean }) {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.status_link.${key}`);
  const notify = useNotify();
  const [issued, setIssued] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box component="section" aria-labelledby="status-link-heading">
      <Typography id="status-link-heading" variant="h6" component="h2" gutterBottom>
        {t('title')}
      </Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        {t('help')}
      </Typography>
      {issued && (
        <Alert severity="info" sx={{ mb: 1, wordBreak: 'break-all' }} data-testid="status-link">
          {issued}
        </Alert>
      )}
      <Stack direction="row" spacing={1}>
        <Button
          size="small"
          variant="outlined"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const link = await api<{ token: string; url: string | null }>(
                `/inquiries/${props.inquiryId}/status-links`,
                { method: 'POST', body: {} },
              );
              setIssued(link.url ?? `${window.location.origin}/status/${link.token}`);
            })
          }
        >
          {t('issue')}
        </Button>
        {props.canRevoke && (
          <Button
            size="small"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await api(`/inquiries/${props.inquiryId}/status-links/revoke`, {
                  method: 'POST',
                  body: {},
                });
                setIssued(undefined);
                notify('app.status_link.revoked', { type: 'success' });
              })
            }
          >
            {t('revoke')}
          </Button>
        )}
      </Stack>
    </Box>
  );
}
