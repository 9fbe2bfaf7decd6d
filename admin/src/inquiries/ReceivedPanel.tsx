import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useTranslate } from 'react-admin';
import { api, apiUrl } from '../api/http';
import type { InquiryRecord } from './case-types';

interface ReceivedAttachment {
  id: string;
  filename: string;
  sniffedType: string | null;
  declaredType: string;
  sizeBytes: number;
  stored: boolean;
  blocked: boolean;
  reason: string | null;
}

interface ReceivedEmail {
  id: string;
  receivedAt: string;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  textBody: string | null;
  outcome: string;
  needsReview: boolean;
  reason: string | null;
  hints: string[];
  authentication: {
    verified?: boolean;
    server: string;
    spf: string | null;
    dkim: string | null;
    dmarc: string | null;
  } | null;
  attachments: ReceivedAttachment[];
}

const VERDICT_COLOURS: Record<string, 'success' | 'error' | 'default'> = {
  pass: 'success',
  fail: 'error',
  softfail: 'error',
  permerror: 'error',
};

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;

// Mail that came in on the case, newest first: who wrote (and whether their server vouched for
// them), the text as a caseworker reads it, and the attachments — downloadable, blocked or not
// kept, with the reason. The text is shown as text: the HTML a sender wrote is never rendered.
export function ReceivedPanel(props: { record: InquiryRecord; canDownload: boolean }) {
  const { record, canDownload } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.received.${key}`, args);
  const received = useQuery({
    queryKey: ['case', record.id, 'received', record.inquiry.version],
    queryFn: () => api<{ items: ReceivedEmail[] }>(`/inquiries/${record.id}/inbound-emails`),
  });
  const items = received.data?.items ?? [];

  return (
    <Box component="section" aria-labelledby="received-heading" sx={{ mt: 3 }}>
      <Typography id="received-heading" variant="h6" component="h2">
        {t('title')}
      </Typography>
      {received.isSuccess && items.length === 0 && (
        <Typography color="text.secondary">{t('none')}</Typography>
      )}
      <List aria-label={t('title')} disablePadding>
        {items.map((m) => (
          <ListItem
            key={m.id}
            data-testid="received-email"
            divider
            sx={{ display: 'block', px: 0 }}
          >
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
              <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 600 }}>
                {m.subject || t('no_subject')}
              </Typography>
              {m.outcome === 'auto_reply' && <Chip size="small" label={t('auto_reply')} />}
              {m.hints.map((hint) => (
                <Chip
                  key={hint}
                  size="small"
                  variant="outlined"
                  label={translate(`app.review.hint.${hint}`, { _: hint })}
                />
              ))}
              {m.needsReview && (
                <Chip
                  size="small"
                  color="warning"
                  label={t('needs_review')}
                  title={m.reason ?? ''}
                />
              )}
            </Stack>
            <Typography variant="body2" color="text.secondary">
              {[m.fromName, m.fromAddress && `<${m.fromAddress}>`].filter(Boolean).join(' ')} ·{' '}
              {new Date(m.receivedAt).toLocaleString()}
            </Typography>
            <Stack direction="row" spacing={1} sx={{ my: 0.5 }} aria-label={t('authentication')}>
              {m.authentication && m.authentication.verified === false ? (
                <Typography variant="caption" color="warning.main">
                  {t('not_ours')}
                </Typography>
              ) : m.authentication ? (
                (['spf', 'dkim', 'dmarc'] as const).map((method) => {
                  const verdict = m.authentication?.[method] ?? 'none';
                  return (
                    <Chip
                      key={method}
                      size="small"
                      variant="outlined"
                      color={VERDICT_COLOURS[verdict] ?? 'default'}
                      label={`${method.toUpperCase()}: ${verdict}`}
                    />
                  );
                })
              ) : (
                <Typography variant="caption" color="text.secondary">
                  {t('not_checked')}
                </Typography>
              )}
            </Stack>
            {m.textBody && (
              <Typography
                component="div"
                variant="body2"
                sx={{ whiteSpace: 'pre-wrap', maxHeight: 240, overflow: 'auto', my: 1 }}
              >
                {m.textBody}
              </Typography>
            )}
            {m.attachments.length > 0 && (
              <List dense aria-label={t('attachments')} disablePadding>
                {m.attachments.map((a) => (
                  <ListItem key={a.id} data-testid="received-attachment" disableGutters>
                    {a.stored && !a.blocked && canDownload ? (
                      <Link href={apiUrl(`/inbound-attachments/${a.id}`)} download={a.filename}>
                        {a.filename}
                      </Link>
                    ) : (
                      <span>{a.filename}</span>
                    )}
                    <Typography variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                      {size(a.sizeBytes)} · {a.sniffedType ?? a.declaredType}
                    </Typography>
                    {a.blocked && (
                      <Chip
                        size="small"
                        color="error"
                        sx={{ ml: 1 }}
                        label={t('blocked')}
                        title={a.reason ?? ''}
                      />
                    )}
                    {!a.stored && (
                      <Chip
                        size="small"
                        sx={{ ml: 1 }}
                        label={t('not_kept')}
                        title={a.reason ?? ''}
                      />
                    )}
                    {(a.blocked || !a.stored) && a.reason && (
                      <Typography variant="caption" sx={{ ml: 1 }}>
                        {a.reason}
                      </Typography>
                    )}
                  </ListItem>
                ))}
              </List>
            )}
          </ListItem>
        ))}
      </List>
    </Box>
  );
}
