import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, useNotify, useTranslate } from 'react-admin';
import { api, problemOf } from '../api/http';

interface Quarantined {
  id: string;
  receivedAt: string;
  source: string;
  sizeBytes: number;
  reason: string | null;
  subject: string | null;
  fromAddress: string | null;
}

const STEPS = ['parse', 'attachments', 'classify', 'thread'];

// The step intake failed at, from the reason it stored ("<step>: <error>").
function stepOf(reason: string | null): string {
  if (reason?.startsWith('larger than INTAKE_MAX_BYTES')) return 'too_large';
  const step = reason?.split(':')[0] ?? '';
  return STEPS.includes(step) ? step : 'other';
}

// Mail intake could not take: kept with the step that failed, never dropped. A supervisor runs
// a message through the pipeline again (after a fix) or gives it up; both are audited.
export function Quarantine() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.quarantine.${key}`, args);
  const notify = useNotify();
  const [busy, setBusy] = useState<string>();
  const list = useQuery({
    queryKey: ['quarantine'],
    queryFn: () =>
      api<{ items: Quarantined[]; total: number }>('/intake/quarantine', {
        query: { pageSize: 100 },
      }),
  });
  const act = async (item: Quarantined, to: 'reprocess' | 'discard') => {
    setBusy(item.id);
    try {
      const result = await api<{ outcome: string }>(`/intake/${item.id}/${to}`, {
        method: 'POST',
        body: {},
      });
      notify('app.quarantine.done', {
        type: 'success',
        messageArgs: {
          outcome: translate(`app.quarantine.outcome.${result.outcome}`, { _: result.outcome }),
        },
      });
    } catch (error) {
      notify(
        problemOf(error)?.reason === 'not_fetched'
          ? 'app.quarantine.step.too_large'
          : 'app.review.errors.failed',
        { type: 'error' },
      );
    } finally {
      setBusy(undefined);
      void list.refetch();
    }
  };
  const items = list.data?.items ?? [];

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="app.quarantine.title" />
      <CardContent>
        <Typography variant="h6" component="h1" gutterBottom>
          {t('title')}
        </Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {t('help')}
        </Typography>
        {list.isSuccess && items.length === 0 && <Typography>{t('empty')}</Typography>}
        {items.length > 0 && (
          <Table size="small" aria-label={t('title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('received')}</TableCell>
                <TableCell>{t('message')}</TableCell>
                <TableCell>{t('reason')}</TableCell>
                <TableCell>{t('actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((m) => (
                <TableRow key={m.id} data-testid="quarantined">
                  <TableCell>{new Date(m.receivedAt).toLocaleString()}</TableCell>
                  <TableCell>
                    <div>{m.subject ?? t('no_subject')}</div>
                    <Typography variant="caption" color="text.secondary">
                      {[
                        m.fromAddress,
                        m.source.startsWith('imap:')
                          ? t('source.imap', { folder: m.source.slice(5) })
                          : t(`source.${m.source}`, { _: m.source }),
                        t('size', { kb: Math.ceil(m.sizeBytes / 1024) }),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Typography>
                  </TableCell>
                  <TableCell sx={{ wordBreak: 'break-word' }}>
                    <div>{t(`step.${stepOf(m.reason)}`)}</div>
                    {m.reason && (
                      <details>
                        <summary>
                          <Typography variant="caption">{t('details')}</Typography>
                        </summary>
                        <Typography variant="caption" component="div" lang="en">
                          {m.reason}
                        </Typography>
                      </details>
                    )}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <Button
                      size="small"
                      disabled={busy === m.id}
                      onClick={() => void act(m, 'reprocess')}
                    >
                      {t('reprocess')}
                    </Button>
                    <Button
                      size="small"
                      disabled={busy === m.id}
                      onClick={() => void act(m, 'discard')}
                    >
                      {t('discard')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
