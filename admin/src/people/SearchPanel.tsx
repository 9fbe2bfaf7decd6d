import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/http';
import type { InquiryRecord } from '../inquiries/case-types';
import { StatusChip } from '../inquiries/StatusChip';
import type { useCaseAction } from '../inquiries/useCaseAction';
import { PersonSuggestion } from './PersonSuggestion';
import { ReasonDialog } from './ReasonDialog';

type Candidate = InquiryRecord['possibleDuplicates'][number];
type Asking =
  | { kind: 'link'; candidate: Candidate }
  | { kind: 'merge'; candidate: Candidate }
  | { kind: 'unlink' };

// The man sought and who else asks about him: the relatives on this search, the inquiries that are
// probably about him too (by his name and birth date, whoever asks), and other records sharing a
// contact with this person. Linking to a search is a caseworker's call; merging one person's two
// inquiries, a supervisor's.
export function SearchPanel({
  record,
  action,
  canLink,
  canMerge,
}: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canLink: boolean;
  canMerge: boolean;
}) {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.people.${key}`, args);
  const [asking, setAsking] = useState<Asking>();
  const { search, possibleDuplicates, person } = record;
  const relationship = (r: string) => translate(`app.relationship.${r}`, { _: r });

  const confirm = async (reason: string) => {
    if (!asking) return;
    const version = record.inquiry.version;
    const request =
      asking.kind === 'link'
        ? () =>
            api(`/inquiries/${record.id}/search`, {
              method: 'POST',
              body: { withInquiryId: asking.candidate.id, version, reason },
            })
        : asking.kind === 'unlink'
          ? () =>
              api(`/inquiries/${record.id}/search/unlink`, {
                method: 'POST',
                body: { version, reason },
              })
          : () =>
              api(`/inquiries/${record.id}/merge`, {
                method: 'POST',
                body: { survivorId: asking.candidate.id, version, reason },
              });
    try {
      await action.run(request, { message: `app.people.done_${asking.kind}` });
    } finally {
      setAsking(undefined);
    }
  };

  return (
    <Box component="section" aria-labelledby="search-heading" data-testid="search-panel">
      <Typography id="search-heading" variant="h6" component="h2">
        {t('search_title')}
      </Typography>
      {search.inquiries.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {t('search_alone')}
        </Typography>
      ) : (
        <Stack spacing={1} sx={{ mt: 1 }} data-testid="search-relatives">
          {search.inquiries.map((other) => (
            <Box
              key={other.id}
              sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}
            >
              <Link component={RouterLink} to={`/inquiries/${other.id}/show`}>
                {other.reference}
              </Link>
              <Link component={RouterLink} to={`/persons/${other.inquirerId}`}>
                {other.inquirerName}
              </Link>
              <Typography variant="body2">({relationship(other.relationship)})</Typography>
              <StatusChip status={other.status} />
            </Box>
          ))}
          {canLink && (
            <Box>
              <Button size="small" onClick={() => setAsking({ kind: 'unlink' })}>
                {t('unlink')}
              </Button>
            </Box>
          )}
        </Stack>
      )}

      {possibleDuplicates.length > 0 && (
        <Box sx={{ mt: 2 }} data-testid="possible-duplicates">
          <Typography variant="subtitle2" component="h3">
            {t('maybe_same_man')}
          </Typography>
          <Stack spacing={1} sx={{ mt: 1 }}>
            {possibleDuplicates.map((d) => (
              <Box
                key={d.id}
                sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}
                data-testid="possible-duplicate"
              >
                <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                  <Link component={RouterLink} to={`/inquiries/${d.id}/show`}>
                    {d.reference}
                  </Link>
                  <Typography variant="body2">
                    {d.soughtPersonName} · {t('asks', { name: d.inquirerName })} (
                    {relationship(d.relationship)})
                  </Typography>
                  <StatusChip status={d.status} />
                  {d.samePerson && <Chip size="small" color="warning" label={t('same_person')} />}
                  {!d.samePerson && d.samePhone && (
                    <Chip size="small" variant="outlined" label={t('same_phone')} />
                  )}
                  {!d.samePerson && d.sameEmail && (
                    <Chip size="small" variant="outlined" label={t('same_email')} />
                  )}
                </Box>
                <Stack direction="row" spacing={1} sx={{ mt: 0.5 }}>
                  {canLink && (
                    <Button
                      size="small"
                      disabled={action.busy}
                      onClick={() => setAsking({ kind: 'link', candidate: d })}
                    >
                      {t('link')}
                    </Button>
                  )}
                  {canMerge && d.samePerson && (
                    <Button
                      size="small"
                      disabled={action.busy}
                      onClick={() => setAsking({ kind: 'merge', candidate: d })}
                    >
                      {t('merge_inquiry')}
                    </Button>
                  )}
                </Stack>
              </Box>
            ))}
          </Stack>
        </Box>
      )}

      {person.suggestions.length > 0 && (
        <Box sx={{ mt: 2 }} data-testid="person-suggestions">
          <Typography variant="subtitle2" component="h3">
            {t('shared_contact')}
          </Typography>
          {person.suggestions.map((s) => (
            <PersonSuggestion key={s.id} s={s} />
          ))}
        </Box>
      )}

      {asking && (
        <ReasonDialog
          title={t(`ask_${asking.kind}`)}
          text={
            asking.kind === 'unlink'
              ? t('ask_unlink_text')
              : t(`ask_${asking.kind}_text`, { reference: asking.candidate.reference })
          }
          busy={action.busy}
          onCancel={() => setAsking(undefined)}
          onConfirm={(reason) => void confirm(reason)}
        />
      )}
    </Box>
  );
}
