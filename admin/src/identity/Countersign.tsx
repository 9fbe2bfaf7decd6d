import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/http';
import { CountersignReviewDialog } from './CountersignReview';

interface Waiting {
  kind: 'match' | 'verification';
  id: string;
  inquiryId: string;
  reference: string;
  signedByName: string | null;
  signedAt: string;
  summary: string;
  soughtPersonName: string;
  prisonerName: string | null;
  inquirerName: string;
}

// The supervisors' queue: matches and verifications signed once, by someone else, waiting for a
// second signature — with whom each is about. Signing opens the review: what is signed, side by
// side, and a button that names the man.
export function Countersign() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.countersign.${key}`, args);
  const [reviewing, setReviewing] = useState<Waiting>();
  const list = useQuery({
    queryKey: ['countersign'],
    queryFn: () => api<Waiting[]>('/identity/awaiting-countersignature'),
  });
  const items = list.data ?? [];
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="app.countersign.title" />
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
                <TableCell>{t('case')}</TableCell>
                <TableCell>{t('what')}</TableCell>
                <TableCell>{t('sought')}</TableCell>
                <TableCell>{t('registry')}</TableCell>
                <TableCell>{t('family_column')}</TableCell>
                <TableCell>{t('signed_by')}</TableCell>
                <TableCell>{t('actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((item) => (
                <TableRow key={item.id} data-testid="awaiting">
                  <TableCell>
                    <Link component={RouterLink} to={`/inquiries/${item.inquiryId}/show`}>
                      {item.reference}
                    </Link>
                  </TableCell>
                  <TableCell>
                    {t(`kind.${item.kind}`)}
                    {item.kind === 'match'
                      ? ` (${translate('app.identity.score', { score: item.summary })})`
                      : ` (${translate(`app.identity.outcome.${item.summary}`)})`}
                  </TableCell>
                  <TableCell>{item.soughtPersonName || '—'}</TableCell>
                  <TableCell>{item.prisonerName ?? '—'}</TableCell>
                  <TableCell>{item.inquirerName}</TableCell>
                  <TableCell>
                    {item.signedByName ?? '—'}, {new Date(item.signedAt).toLocaleString()}
                  </TableCell>
                  <TableCell>
                    <Button size="small" variant="contained" onClick={() => setReviewing(item)}>
                      {t('review')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      {reviewing && (
        <CountersignReviewDialog
          kind={reviewing.kind}
          id={reviewing.id}
          onClose={() => {
            setReviewing(undefined);
            void list.refetch();
          }}
        />
      )}
    </Card>
  );
}
