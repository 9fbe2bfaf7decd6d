import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/http';
import { currentSession } from '../api/session';
import type { InquiryRecord } from '../inquiries/case-types';
import type { useCaseAction } from '../inquiries/useCaseAction';
import { CountersignReviewDialog } from './CountersignReview';
import { ConsentForm, VerificationForm } from './IdentityForms';
import type { Candidate, Consent, Match, Signal, Verification } from './identity-types';

type Action = ReturnType<typeof useCaseAction>;

// MUI's orange (warning) and light blue (info) chips fail WCAG AA contrast with white text.
const STRENGTH_COLOURS = { strong: 'success', possible: 'default', weak: 'default' } as const;

// Who the case is about and who is asking, confirmed by two people: registry candidates with
// why they rank where they do, the match (proposed, countersigned), the inquirer's verification,
// the prisoner's consent, and any fraud signal shared with other cases.
export function IdentityPanel(props: {
  record: InquiryRecord;
  action: Action;
  canWork: boolean;
  canCountersign: boolean;
}) {
  const { record, action, canWork, canCountersign } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.identity.${key}`, args);
  const id = record.id;
  const version = record.inquiry.version;
  const me = currentSession()?.user.id;
  const [showCandidates, setShowCandidates] = useState(false);
  const [rejecting, setRejecting] = useState<string>();
  const [reviewing, setReviewing] = useState<{ kind: 'match' | 'verification'; id: string }>();
  const [reason, setReason] = useState('');
  const key = (what: string) => ['case', id, what, version];
  const signals = useQuery({
    queryKey: key('signals'),
    queryFn: () => api<Signal[]>(`/inquiries/${id}/signals`),
  });
  const matches = useQuery({
    queryKey: key('matches'),
    queryFn: () => api<Match[]>(`/inquiries/${id}/matches`),
  });
  const verifications = useQuery({
    queryKey: key('verifications'),
    queryFn: () => api<Verification[]>(`/inquiries/${id}/verifications`),
  });
  const consents = useQuery({
    queryKey: key('consents'),
    queryFn: () => api<Consent[]>(`/inquiries/${id}/consents`),
  });
  // Looking at registry records is audited: only when asked for.
  const candidates = useQuery({
    queryKey: key('candidates'),
    queryFn: () => api<Candidate[]>(`/inquiries/${id}/match-candidates`),
    enabled: showCandidates && canWork,
  });
  const open = matches.data?.find((m) => m.state !== 'rejected');
  const post = (path: string, body: unknown, message: string) =>
    action.run(() => api(path, { method: 'POST', body }), { message }).catch(() => undefined);

  return (
    <Box component="section" aria-labelledby="identity-heading">
      <Typography id="identity-heading" variant="h6" component="h2" gutterBottom>
        {t('title')}
      </Typography>
      {signals.data?.map((s) => (
        <Alert key={s.kind} severity="error" sx={{ mb: 1 }} data-testid="fraud-signal">
          {t(`signal.${s.kind}`)}:{' '}
          {s.inquiries.map((other, i) => (
            <span key={other.id}>
              {i > 0 && ', '}
              <Link component={RouterLink} to={`/inquiries/${other.id}/show`}>
                {other.reference}
              </Link>
            </span>
          ))}
        </Alert>
      ))}

      <Typography variant="subtitle1" component="h3">
        {t('match')}
      </Typography>
      {matches.data?.length === 0 && (
        <Typography color="text.secondary">{t('no_match')}</Typography>
      )}
      <List disablePadding aria-label={t('match')}>
        {matches.data?.map((m) => (
          <ListItem key={m.id} divider sx={{ display: 'block', px: 0 }} data-testid="match">
            <Stack
              sx={{ flexWrap: 'wrap', alignItems: 'center' }}
              direction="row"
              spacing={1}
              useFlexGap
            >
              <Chip
                size="small"
                label={t(`match_state.${m.state}`)}
                color={m.state === 'confirmed' ? 'success' : 'default'}
                variant={m.state === 'proposed' ? 'outlined' : 'filled'}
              />
              <Typography variant="body2">
                {t('score', { score: m.score.toFixed(2) })} ·{' '}
                {t(`strength.${m.explanation.strength}`)}
              </Typography>
              {m.reason && <Typography variant="body2">— {m.reason}</Typography>}
            </Stack>
            <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
              {m.state === 'proposed' && canCountersign && m.proposedBy !== me && (
                <Button
                  size="small"
                  variant="contained"
                  disabled={action.busy}
                  onClick={() => setReviewing({ kind: 'match', id: m.id })}
                >
                  {t('countersign')}
                </Button>
              )}
              {m.state === 'proposed' && m.proposedBy === me && (
                <Typography variant="body2" color="text.secondary">
                  {t('awaiting_other')}
                </Typography>
              )}
              {m.state !== 'rejected' && canWork && rejecting !== m.id && (
                <Button size="small" onClick={() => setRejecting(m.id)}>
                  {t('reject')}
                </Button>
              )}
            </Stack>
            {rejecting === m.id && (
              <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
                <TextField
                  size="small"
                  label={t('reject_reason')}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
                <Button
                  size="small"
                  variant="outlined"
                  disabled={action.busy || reason.trim().length < 3}
                  onClick={() =>
                    void post(`/matches/${m.id}/reject`, { reason }, 'app.identity.rejected').then(
                      () => {
                        setRejecting(undefined);
                        setReason('');
                      },
                    )
                  }
                >
                  {t('reject_confirm')}
                </Button>
              </Stack>
            )}
          </ListItem>
        ))}
      </List>

      {canWork && !open && (
        <Box sx={{ mt: 1 }}>
          {!showCandidates && (
            <Button variant="outlined" size="small" onClick={() => setShowCandidates(true)}>
              {t('find')}
            </Button>
          )}
          {candidates.isSuccess && candidates.data.length === 0 && (
            <Typography color="text.secondary">{t('no_candidates')}</Typography>
          )}
          <List disablePadding aria-label={t('candidates')}>
            {candidates.data?.map((c) => (
              <ListItem
                key={c.prisoner.id}
                divider
                sx={{ display: 'block', px: 0 }}
                data-testid="candidate"
              >
                <Stack
                  sx={{ flexWrap: 'wrap', alignItems: 'center' }}
                  direction="row"
                  spacing={1}
                  useFlexGap
                >
                  <Typography variant="body1">
                    {[c.prisoner.surname, c.prisoner.givenNames, c.prisoner.patronymic]
                      .filter(Boolean)
                      .join(' ')}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {c.prisoner.personalNumber} · {c.prisoner.birthDate ?? '—'}
                  </Typography>
                  <Chip
                    size="small"
                    color={STRENGTH_COLOURS[c.explanation.strength]}
                    label={`${t(`strength.${c.explanation.strength}`)} ${c.score.toFixed(2)}`}
                  />
                  {c.explanation.namesSwapped && <Chip size="small" label={t('names_swapped')} />}
                </Stack>
                <Stack direction="row" spacing={0.5} useFlexGap sx={{ mt: 0.5, flexWrap: 'wrap' }}>
                  {c.explanation.fields
                    .filter((f) => f.agreement !== 'not_compared')
                    .map((f) => (
                      <Chip
                        key={f.field}
                        size="small"
                        variant="outlined"
                        label={`${t(`field.${f.field}`)}: ${t(`agreement.${f.agreement}`)}`}
                      />
                    ))}
                </Stack>
                <Button
                  size="small"
                  sx={{ mt: 0.5 }}
                  disabled={action.busy}
                  onClick={() =>
                    void post(
                      `/inquiries/${id}/matches`,
                      { prisonerId: c.prisoner.id },
                      'app.identity.proposed',
                    )
                  }
                >
                  {t('propose')}
                </Button>
              </ListItem>
            ))}
          </List>
        </Box>
      )}

      <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
        {t('verification')}
      </Typography>
      <List disablePadding aria-label={t('verification')}>
        {verifications.data?.map((v) => (
          <ListItem key={v.id} divider sx={{ display: 'block', px: 0 }} data-testid="verification">
            <Typography variant="body2">
              {t(`outcome.${v.outcome}`)} · {t(`method.${v.method}`)} ·{' '}
              {v.documents.map((d) => `${d.kind} …${d.numberLast4}`).join(', ') ||
                t('no_documents')}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {v.countersignedBy ? t('signed_twice') : t('awaiting_countersignature')}
            </Typography>
            {!v.countersignedBy && canCountersign && v.verifiedBy !== me && (
              <Button
                size="small"
                variant="contained"
                disabled={action.busy}
                onClick={() => setReviewing({ kind: 'verification', id: v.id })}
              >
                {t('countersign')}
              </Button>
            )}
          </ListItem>
        ))}
      </List>
      {canWork && <VerificationForm inquiryId={id} action={action} />}

      <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
        {t('consent')}
      </Typography>
      <List disablePadding aria-label={t('consent')}>
        {consents.data?.map((c) => (
          <ListItem key={c.id} divider sx={{ px: 0 }} data-testid="consent">
            <Typography variant="body2">
              {t(`consent_kind.${c.kind}`)}: {t(`decision.${c.decision}`)} · {c.interviewedOn}
            </Typography>
          </ListItem>
        ))}
      </List>
      {canWork && open?.state === 'confirmed' && <ConsentForm inquiryId={id} action={action} />}
      {reviewing && (
        <CountersignReviewDialog
          kind={reviewing.kind}
          id={reviewing.id}
          onClose={(signed) => {
            setReviewing(undefined);
            if (signed) void action.run(() => Promise.resolve()).catch(() => undefined);
          }}
        />
      )}
    </Box>
  );
}
