import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api, apiUrl } from '../api/http';
import type { InquiryRecord } from '../inquiries/case-types';
import type { useCaseAction } from '../inquiries/useCaseAction';

// The family's rights over their data (supervisors): a copy of everything held about them, and
// erasure when they ask for it — possible once every case of theirs has ended (the server says
// which are still open).
export function PrivacyPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
}) {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.privacy.${key}`, args);
  const [erasing, setErasing] = useState(false);
  const [reason, setReason] = useState('');
  const { inquiry, inquirer } = props.record;
  return (
    <Box component="section" aria-labelledby="privacy-heading">
      <Typography id="privacy-heading" variant="h6" component="h2" gutterBottom>
        {t('title')}
      </Typography>
      {inquiry.pseudonymisedAt && (
        <Alert severity="info" sx={{ mb: 1 }} data-testid="pseudonymised">
          {t('removed', { date: new Date(inquiry.pseudonymisedAt).toLocaleDateString() })}
        </Alert>
      )}
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <Link href={apiUrl(`/inquirers/${inquirer.id}/export`)} download>
          {t('export')}
        </Link>
        {!erasing && !inquiry.pseudonymisedAt && (
          <Button size="small" color="error" onClick={() => setErasing(true)}>
            {t('erase')}
          </Button>
        )}
      </Stack>
      {erasing && (
        <Stack spacing={1}>
          <Typography variant="body2" color="text.secondary">
            {t('erase_help')}
          </Typography>
          <TextField
            label={t('reason')}
            helperText={t('reason_help')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            multiline
            size="small"
          />
          <Stack direction="row" spacing={1}>
            <Button
              size="small"
              variant="contained"
              color="error"
              disabled={props.action.busy || reason.trim().length < 10}
              onClick={() =>
                void props.action
                  .run(
                    () =>
                      api(`/inquirers/${inquirer.id}/erasure`, {
                        method: 'POST',
                        body: { reason: reason.trim() },
                      }),
                    { message: 'app.privacy.erased' },
                  )
                  .then(
                    () => setErasing(false),
                    () => undefined,
                  )
              }
            >
              {t('confirm')}
            </Button>
            <Button size="small" onClick={() => setErasing(false)}>
              {translate('ra.action.cancel')}
            </Button>
          </Stack>
        </Stack>
      )}
    </Box>
  );
}
