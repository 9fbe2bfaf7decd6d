import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { api } from '../api/http';
import type { CountersignReview } from './identity-types';

const dash = (value: string | number | null | undefined) =>
  value === null || value === undefined || value === '' ? '—' : String(value);

const birthOf = (s: CountersignReview['sought']) =>
  [s.birthDay, s.birthMonth, s.birthYear]
    .filter((p) => p !== null)
    .map((p) => String(p).padStart(2, '0'))
    .join('.') || null;

// The second signature, for what it is: the sought man as the family described him beside the
// registry's record the match names (names in both scripts, birth date, unit, the last four of
// the personal number), the score's explanation, the family's verification with its evidence
// and their answers beside the registry's. The supervisor signs for the man the button names.
export function CountersignReviewDialog(props: {
  kind: 'match' | 'verification';
  id: string;
  onClose: (signed: boolean) => void;
}) {
  const { kind, id, onClose } = props;
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.countersign.${key}`, args);
  const ti = (key: string, args?: Record<string, unknown>) =>
    translate(`app.identity.${key}`, args);
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const review = useQuery({
    queryKey: ['countersign-review', kind, id],
    queryFn: () =>
      api<CountersignReview>(
        kind === 'match' ? `/matches/${id}/review` : `/verifications/${id}/review`,
      ),
  });
  const r = review.data;
  const sign = async () => {
    if (!r) return;
    setBusy(true);
    try {
      if (kind === 'match') {
        await api(`/matches/${id}/countersign`, {
          method: 'POST',
          body: { prisonerId: r.prisoner!.id },
        });
      } else {
        await api(`/verifications/${id}/countersign`, {
          method: 'POST',
          body: { outcome: r.verification!.outcome },
        });
      }
      notify('app.identity.countersigned', { type: 'success' });
      onClose(true);
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: 'error' });
      setBusy(false);
    }
  };
  const rows: [string, string, string][] = r
    ? [
        [t('row.surname'), dash(r.sought.surname), dash(r.prisoner?.surname)],
        [t('row.given_name'), dash(r.sought.givenName), dash(r.prisoner?.givenNames)],
        [t('row.patronymic'), dash(r.sought.patronymic), dash(r.prisoner?.patronymic)],
        [
          t('row.latin'),
          dash(r.sought.latin),
          dash(
            r.prisoner &&
              [r.prisoner.surnameLatin, r.prisoner.givenNamesLatin, r.prisoner.patronymicLatin]
                .filter(Boolean)
                .join(' '),
          ),
        ],
        [
          t('row.birth'),
          dash(birthOf(r.sought)),
          dash(r.prisoner?.birthDate?.split('-').reverse().join('.')),
        ],
        [t('row.unit'), dash(r.sought.militaryUnit), dash(r.prisoner?.militaryUnit)],
        [t('row.rank'), dash(r.sought.rank), dash(r.prisoner?.rank)],
        [
          t('row.number'),
          r.sought.personalNumberLast4 ? `…${r.sought.personalNumberLast4}` : '—',
          r.prisoner ? `…${r.prisoner.personalNumberLast4}` : '—',
        ],
      ]
    : [];
  const confirmLabel =
    kind === 'match'
      ? t('confirm_match', { name: r?.prisoner?.fullName ?? '' })
      : t('confirm_verification', {
          name: r?.family.fullName ?? '',
          outcome: r?.verification ? ti(`outcome.${r.verification.outcome}`) : '',
        });
  return (
    <Dialog
      open
      onClose={() => onClose(false)}
      maxWidth="md"
      fullWidth
      aria-labelledby="review-title"
    >
      <DialogTitle id="review-title">
        {t(kind === 'match' ? 'review_match' : 'review_verification')}
        {r ? ` · ${r.inquiry.reference}` : ''}
      </DialogTitle>
      <DialogContent dividers>
        {review.isError && <Alert severity="error">{t('review_failed')}</Alert>}
        {r && (
          <Stack spacing={2}>
            <Typography variant="body2">
              {t('family', {
                name: r.family.fullName,
                relationship: translate(`app.relationship.${r.family.relationship}`, {
                  _: r.family.relationship,
                }),
              })}
            </Typography>
            <Table size="small" aria-label={t('side_by_side')} data-testid="side-by-side">
              <TableHead>
                <TableRow>
                  <TableCell />
                  <TableCell>{t('sought')}</TableCell>
                  <TableCell>{t('registry')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map(([label, sought, registry]) => (
                  <TableRow key={label}>
                    <TableCell component="th" scope="row">
                      {label}
                    </TableCell>
                    <TableCell>{sought}</TableCell>
                    <TableCell>{registry}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {!r.prisoner && <Alert severity="info">{t('no_prisoner')}</Alert>}
            {r.match && (
              <Box>
                <Typography variant="subtitle2" component="h3">
                  {t('explanation', { score: r.match.score.toFixed(2) })} ·{' '}
                  {ti(`strength.${r.match.explanation.strength}`)}
                </Typography>
                <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap', mt: 0.5 }}>
                  {r.match.explanation.fields
                    .filter((f) => f.agreement !== 'not_compared')
                    .map((f) => (
                      <Chip
                        key={f.field}
                        size="small"
                        variant="outlined"
                        label={`${ti(`field.${f.field}`)}: ${ti(`agreement.${f.agreement}`)}`}
                      />
                    ))}
                  {r.match.explanation.namesSwapped && (
                    <Chip size="small" label={ti('names_swapped')} />
                  )}
                </Stack>
                <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
                  {t('proposed_by', { name: r.match.proposedByName ?? '—' })}
                </Typography>
              </Box>
            )}
            <Box>
              <Typography variant="subtitle2" component="h3">
                {ti('verification')}
              </Typography>
              {!r.verification && (
                <Typography variant="body2" color="text.secondary">
                  {t('no_verification')}
                </Typography>
              )}
              {r.verification && (
                <Stack spacing={0.5} data-testid="review-verification">
                  <Typography variant="body2">
                    {ti(`outcome.${r.verification.outcome}`)} ·{' '}
                    {ti(`method.${r.verification.method}`)} ·{' '}
                    {r.verification.documents
                      .map((d) => `${d.kind} …${d.numberLast4}`)
                      .join(', ') || ti('no_documents')}
                  </Typography>
                  <Typography variant="body2">
                    {ti('evidence')}: {r.verification.relationshipEvidence}
                  </Typography>
                  {r.verification.answers.map((a) => (
                    <Typography variant="body2" key={a.question}>
                      {ti(a.question)}: {a.answer} ·{' '}
                      {t('registry_says', { value: dash(a.registryValue) })}{' '}
                      {a.agreesWithRegistry === null
                        ? ''
                        : a.agreesWithRegistry
                          ? `(${ti('agreement.exact')})`
                          : `(${ti('agreement.different')})`}
                    </Typography>
                  ))}
                  {kind === 'verification' && (
                    <Typography variant="body2" color="text.secondary">
                      {t('contacts_trusted', {
                        contacts: [...r.family.phones, ...r.family.emails].join(', ') || '—',
                      })}
                    </Typography>
                  )}
                </Stack>
              )}
            </Box>
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(false)}>{t('cancel')}</Button>
        <Button
          variant="contained"
          disabled={
            !r ||
            busy ||
            (kind === 'match' && !r.prisoner) ||
            (kind === 'verification' && !r.verification)
          }
          onClick={() => void sign()}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
