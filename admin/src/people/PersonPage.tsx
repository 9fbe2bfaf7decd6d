import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Loading, Title, useGetList, useNotify, usePermissions, useTranslate } from 'react-admin';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { api, problemOf } from '../api/http';
import { allowed, type Role } from '../api/session';
import type { State } from '../inquiries/constants';
import { StatusChip } from '../inquiries/StatusChip';
import { Conversation } from './Conversation';
import { PersonSuggestion } from './PersonSuggestion';
import { ReasonDialog } from './ReasonDialog';

interface PersonPageData {
  person: {
    id: string;
    fullName: string;
    otherNames: string[];
    phones: string[];
    emails: string[];
    preferredLanguage: string;
    preferredChannel: string;
    country: string | null;
    city: string | null;
  };
  mergedInto: { id: string; fullName: string } | null;
  inquiries: {
    id: string;
    reference: string;
    status: State;
    relationship: string;
    channel: string;
    soughtPersonName: string | null;
    otherRelatives: number;
    createdAt: string;
  }[];
  merges: {
    id: string;
    survivorId: string;
    survivorName: string;
    absorbedId: string;
    absorbedName: string;
    references: string[];
    reason: string;
    mergedBy: string;
    mergedAt: string;
    confirmedAt: string | null;
    undoneAt: string | null;
  }[];
  suggestions: {
    id: string;
    fullName: string;
    samePhone: boolean;
    sameEmail: boolean;
    sameName: boolean;
  }[];
}

interface StaffEntry {
  id: string;
  displayName: string;
}

type Asking = { kind: 'merge'; id: string; name: string } | { kind: 'undo'; id: string };

// Everything about one person: who they are, every inquiry of theirs (each about one man, with
// their relationship to him), the records joined into theirs and other records sharing a contact.
// Supervisors join two records of one person (undone until confirmed).
export function PersonPage() {
  const { id } = useParams<{ id: string }>();
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.people.${key}`, args);
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { permissions } = usePermissions<Role[]>();
  const canMerge = allowed(permissions, 'persons', 'merge');
  const [asking, setAsking] = useState<Asking>();
  const [busy, setBusy] = useState(false);
  const staff = useGetList<StaffEntry>('staff', { pagination: { page: 1, perPage: 1000 } });
  const page = useQuery({
    queryKey: ['person', id],
    queryFn: () => api<PersonPageData>(`/inquirers/${id}`),
  });
  const who = (actor: string) =>
    actor.startsWith('system:')
      ? translate(`app.system_actor.${actor.slice('system:'.length)}`, {
          _: translate('app.system_actor.other'),
        })
      : (staff.data?.find((s) => s.id === actor)?.displayName ??
        translate('app.system_actor.staff'));
  const when = (at: string) => new Date(at).toLocaleString('uk-UA');

  const run = async (work: () => Promise<unknown>, message: string) => {
    setBusy(true);
    try {
      await work();
      notify(message, { type: 'success' });
      await queryClient.invalidateQueries({ queryKey: ['person'] });
    } catch (error) {
      const problem = problemOf(error);
      notify(
        problem?.code === 'conflict' ? 'app.people.errors.conflict' : 'app.people.errors.failed',
        {
          type: 'warning',
        },
      );
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };

  if (page.isPending) return <Loading />;
  if (!page.data) {
    return (
      <Alert severity="error" sx={{ m: 2 }}>
        {t('errors.not_found')}
      </Alert>
    );
  }
  const { person, mergedInto, inquiries, merges, suggestions } = page.data;

  return (
    <Box sx={{ p: 2 }}>
      <Title title="app.people.title" />
      <Typography variant="h5" component="h1" gutterBottom>
        {person.fullName}
      </Typography>
      {mergedInto && (
        <Alert severity="info" sx={{ mb: 2 }}>
          {t('merged_into')}{' '}
          <Link component={RouterLink} to={`/persons/${mergedInto.id}`}>
            {mergedInto.fullName}
          </Link>
        </Alert>
      )}
      <Card sx={{ mb: 2 }}>
        <CardContent>
          <Typography variant="h6" component="h2">
            {t('who')}
          </Typography>
          <Box
            component="dl"
            sx={{
              display: 'grid',
              gridTemplateColumns: 'max-content 1fr',
              columnGap: 2,
              rowGap: 0.5,
            }}
          >
            <dt>{t('other_names')}</dt>
            <dd style={{ margin: 0 }}>{person.otherNames.join(', ') || '—'}</dd>
            <dt>{t('phones')}</dt>
            <dd style={{ margin: 0 }}>{person.phones.join(', ') || '—'}</dd>
            <dt>{t('emails')}</dt>
            <dd style={{ margin: 0 }}>{person.emails.join(', ') || '—'}</dd>
            <dt>{t('language')}</dt>
            <dd style={{ margin: 0 }}>{translate(`app.language.${person.preferredLanguage}`)}</dd>
            <dt>{t('channel')}</dt>
            <dd style={{ margin: 0 }}>
              {translate(`app.family_channel.${person.preferredChannel}`)}
            </dd>
            <dt>{t('place')}</dt>
            <dd style={{ margin: 0 }}>
              {[person.city, person.country].filter(Boolean).join(', ') || '—'}
            </dd>
          </Box>
        </CardContent>
      </Card>

      <Card sx={{ mb: 2 }}>
        <CardContent>
          <Typography variant="h6" component="h2">
            {t('inquiries', { count: inquiries.length })}
          </Typography>
          {inquiries.length === 0 ? (
            <Typography variant="body2">{t('no_inquiries')}</Typography>
          ) : (
            <Table size="small" data-testid="person-inquiries">
              <TableHead>
                <TableRow>
                  <TableCell>{t('reference')}</TableCell>
                  <TableCell>{t('sought')}</TableCell>
                  <TableCell>{t('relationship')}</TableCell>
                  <TableCell>{t('status')}</TableCell>
                  <TableCell>{t('other_relatives')}</TableCell>
                  <TableCell>{t('opened')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {inquiries.map((i) => (
                  <TableRow key={i.id}>
                    <TableCell>
                      <Link component={RouterLink} to={`/inquiries/${i.id}/show`}>
                        {i.reference}
                      </Link>
                    </TableCell>
                    <TableCell>{i.soughtPersonName ?? t('not_named')}</TableCell>
                    <TableCell>
                      {translate(`app.relationship.${i.relationship}`, { _: i.relationship })}
                    </TableCell>
                    <TableCell>
                      <StatusChip status={i.status} />
                    </TableCell>
                    <TableCell>{i.otherRelatives}</TableCell>
                    <TableCell>{new Date(i.createdAt).toLocaleDateString('uk-UA')}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>

      {!mergedInto && (
        <Conversation
          // A merge, undo or split changes the person's cases: the form starts again on them,
          // never left on a case that is now someone else's.
          key={inquiries.map((i) => i.id).join()}
          personId={person.id}
          inquiries={inquiries}
          canRecord={allowed(permissions, 'inquiries', 'contact')}
        />
      )}

      {!mergedInto && suggestions.length > 0 && (
        <Card sx={{ mb: 2 }} data-testid="person-suggestions">
          <CardContent>
            <Typography variant="h6" component="h2">
              {t('shared_contact')}
            </Typography>
            <Typography variant="body2" color="text.secondary" gutterBottom>
              {t('shared_contact_help')}
            </Typography>
            <Stack spacing={1}>
              {suggestions.map((s) => (
                <PersonSuggestion key={s.id} s={s}>
                  {canMerge && (
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() => setAsking({ kind: 'merge', id: s.id, name: s.fullName })}
                    >
                      {t('merge_person')}
                    </Button>
                  )}
                </PersonSuggestion>
              ))}
            </Stack>
          </CardContent>
        </Card>
      )}

      {merges.length > 0 && (
        <Card sx={{ mb: 2 }} data-testid="person-merges">
          <CardContent>
            <Typography variant="h6" component="h2">
              {t('merges')}
            </Typography>
            <Stack spacing={1}>
              {merges.map((m) => (
                <Box key={m.id} sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}>
                  <Typography variant="body2">
                    {t('merge_line', {
                      absorbed: m.absorbedName,
                      survivor: m.survivorName,
                      who: who(m.mergedBy),
                      at: when(m.mergedAt),
                    })}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {t('merge_moved', { references: m.references.join(', ') || '—' })} ·{' '}
                    {t('reason_was', { reason: m.reason })}
                  </Typography>
                  <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mt: 0.5 }}>
                    <Chip
                      size="small"
                      color={m.undoneAt ? 'default' : m.confirmedAt ? 'success' : 'warning'}
                      label={
                        m.undoneAt ? t('undone') : m.confirmedAt ? t('confirmed') : t('unconfirmed')
                      }
                    />
                    {canMerge && !m.undoneAt && !m.confirmedAt && (
                      <>
                        <Button
                          size="small"
                          disabled={busy}
                          onClick={() => setAsking({ kind: 'undo', id: m.id })}
                        >
                          {t('undo')}
                        </Button>
                        <Button
                          size="small"
                          disabled={busy}
                          onClick={() =>
                            void run(
                              () => api(`/person-merges/${m.id}/confirm`, { method: 'POST' }),
                              'app.people.done_confirm',
                            )
                          }
                        >
                          {t('confirm_merge')}
                        </Button>
                      </>
                    )}
                  </Box>
                </Box>
              ))}
            </Stack>
          </CardContent>
        </Card>
      )}

      {asking?.kind === 'merge' && (
        <ReasonDialog
          title={t('ask_merge_person')}
          text={t('ask_merge_person_text', { name: asking.name, survivor: person.fullName })}
          busy={busy}
          onCancel={() => setAsking(undefined)}
          onConfirm={(reason) =>
            void run(
              () =>
                api(`/inquirers/${person.id}/merges`, {
                  method: 'POST',
                  body: { absorbedId: asking.id, reason },
                }),
              'app.people.done_merge_person',
            )
          }
        />
      )}
      {asking?.kind === 'undo' && (
        <ReasonDialog
          title={t('ask_undo')}
          text={t('ask_undo_text')}
          busy={busy}
          onCancel={() => setAsking(undefined)}
          onConfirm={(reason) =>
            void run(
              () => api(`/person-merges/${asking.id}/undo`, { method: 'POST', body: { reason } }),
              'app.people.done_undo',
            )
          }
        />
      )}
    </Box>
  );
}
