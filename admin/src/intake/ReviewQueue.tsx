import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, useNotify, usePermissions, useTranslate } from 'react-admin';
import { api, problemOf } from '../api/http';
import { allowed, type Role } from '../api/session';

interface Waiting {
  id: string;
  receivedAt: string;
  source: string;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  textBody: string | null;
  reason: string | null;
  hints: string[];
  authentication: { verified?: boolean } | null;
}

type Choice = 'attach' | 'dismiss';

// Letters that reached no case and could not open one on their own (an automatic answer to
// nothing, a letter without a sender address): read one by one, and each opened as a case, put
// on the case it belongs to, or set aside with the reason. The server takes one decision per
// letter; whoever comes second is told.
export function ReviewQueue() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.review.${key}`, args);
  const notify = useNotify();
  const { permissions } = usePermissions<Role[]>();
  const canDecide = allowed(permissions, 'review', 'decide');
  const [busy, setBusy] = useState<string>();
  const [asking, setAsking] = useState<{ item: Waiting; choice: Choice }>();
  const [answer, setAnswer] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const list = useQuery({
    queryKey: ['intake-review'],
    queryFn: () =>
      api<{ items: Waiting[]; total: number }>('/intake/review', { query: { pageSize: 50 } }),
  });

  const decide = async (item: Waiting, choice: 'open' | Choice, body: object = {}) => {
    setBusy(item.id);
    setFieldError(undefined);
    try {
      const result = await api<{ reference: string | null }>(
        `/intake/review/${item.id}/${choice}`,
        { method: 'POST', body },
      );
      const done = { open: 'opened', attach: 'attached', dismiss: 'dismissed' }[choice];
      notify(`app.review.${done}`, {
        type: 'success',
        messageArgs: { reference: result.reference ?? '' },
      });
      setAsking(undefined);
      void list.refetch();
    } catch (error) {
      const problem = problemOf(error);
      if (problem?.code === 'validation_failed') {
        setFieldError(choice === 'attach' ? t('errors.no_such_case') : t('errors.reason_required'));
      } else if (problem?.code === 'conflict') {
        notify(
          problem.reason === 'no_sender'
            ? 'app.review.errors.no_sender'
            : 'app.review.errors.taken',
          { type: 'warning' },
        );
        setAsking(undefined);
        void list.refetch();
      } else {
        notify('app.review.errors.failed', { type: 'error' });
      }
    } finally {
      setBusy(undefined);
    }
  };
  const items = list.data?.items ?? [];

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="app.review.title" />
      <CardContent>
        <Typography variant="h6" component="h1" gutterBottom>
          {t('title')}
        </Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {t('help')}
        </Typography>
        {list.isSuccess && items.length === 0 && <Typography>{t('empty')}</Typography>}
        <Stack spacing={2} sx={{ mt: 2 }}>
          {items.map((m) => (
            <Box
              key={m.id}
              component="section"
              data-testid="review-letter"
              aria-label={m.subject ?? t('no_subject')}
              sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 2 }}
            >
              <Typography variant="subtitle1" component="h2">
                {m.subject ?? t('no_subject')}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {[
                  m.fromName,
                  m.fromAddress ?? t('no_sender'),
                  new Date(m.receivedAt).toLocaleString('uk-UA'),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography>
              <Stack direction="row" spacing={1} sx={{ my: 1, flexWrap: 'wrap' }} useFlexGap>
                <Chip
                  size="small"
                  color="warning"
                  label={translate(`app.review.reason.${m.reason ?? ''}`, {
                    _: t('why'),
                  })}
                />
                {m.hints.map((hint) => (
                  <Chip
                    key={hint}
                    size="small"
                    variant="outlined"
                    label={translate(`app.review.hint.${hint}`, { _: hint })}
                  />
                ))}
                {m.authentication?.verified !== true && (
                  <Chip size="small" variant="outlined" label={t('unverified')} />
                )}
              </Stack>
              <Typography
                variant="body2"
                component="div"
                sx={{
                  whiteSpace: 'pre-wrap',
                  maxHeight: 240,
                  overflowY: 'auto',
                  bgcolor: 'grey.50',
                  p: 1,
                  borderRadius: 1,
                }}
              >
                {m.textBody?.trim() || t('no_text')}
              </Typography>
              {canDecide && (
                <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
                  <Button
                    size="small"
                    variant="contained"
                    disabled={busy === m.id || !m.fromAddress}
                    onClick={() => void decide(m, 'open')}
                  >
                    {t('open')}
                  </Button>
                  {(['attach', 'dismiss'] as const).map((choice) => (
                    <Button
                      key={choice}
                      size="small"
                      disabled={busy === m.id}
                      onClick={() => {
                        setAnswer('');
                        setFieldError(undefined);
                        setAsking({ item: m, choice });
                      }}
                    >
                      {t(choice)}
                    </Button>
                  ))}
                </Stack>
              )}
            </Box>
          ))}
        </Stack>
      </CardContent>
      <Dialog open={!!asking} onClose={() => setAsking(undefined)} fullWidth maxWidth="sm">
        {asking && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void decide(
                asking.item,
                asking.choice,
                asking.choice === 'attach' ? { reference: answer } : { reason: answer },
              );
            }}
          >
            <DialogTitle>{t(asking.choice)}</DialogTitle>
            <DialogContent>
              <Typography variant="body2" gutterBottom>
                {asking.item.subject ?? t('no_subject')}
              </Typography>
              <TextField
                autoFocus
                fullWidth
                required
                margin="dense"
                label={t(asking.choice === 'attach' ? 'reference' : 'dismiss_reason')}
                helperText={fieldError ?? (asking.choice === 'attach' ? t('reference_help') : ' ')}
                error={!!fieldError}
                value={answer}
                multiline={asking.choice === 'dismiss'}
                onChange={(event) => setAnswer(event.target.value)}
              />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setAsking(undefined)}>{t('cancel')}</Button>
              <Button type="submit" variant="contained" disabled={busy === asking.item.id}>
                {t('confirm')}
              </Button>
            </DialogActions>
          </form>
        )}
      </Dialog>
    </Card>
  );
}
