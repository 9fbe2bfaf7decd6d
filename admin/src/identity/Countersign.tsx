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
import { Title, useNotify, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/http';

interface Waiting {
  kind: 'match' | 'verification';
  id: string;
  inquiryId: string;
  reference: string;
  signedByName: string | null;
  signedAt: string;
  summary: string;
}

// The supervisors' queue: matches and verifications signed once, by someone else, waiting for a
// second signature. Open the case to look before signing; or sign here.
export function Countersign() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) =>
    translate(`app.countersign.${key}`, args);
  const notify = useNotify();
  const [busy, setBusy] = useState<string>();
  const list = useQuery({
    queryKey: ['countersign'],
    queryFn: () => api<Waiting[]>('/identity/awaiting-countersignature'),
  });
  const sign = async (item: Waiting) => {
    setBusy(item.id);
    try {
      const path =
        item.kind === 'match'
          ? `/matches/${item.id}/countersign`
          : `/verifications/${item.id}/countersign`;
      await api(path, { method: 'POST', body: {} });
      notify('app.identity.countersigned', { type: 'success' });
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: 'error' });
    } finally {
      setBusy(undefined);
      void list.refetch();
    }
  };
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
                    {t(`kind.${item.kind}`)} ({item.summary})
                  </TableCell>
                  <TableCell>
                    {item.signedByName ?? '—'}, {new Date(item.signedAt).toLocaleString()}
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      variant="contained"
                      disabled={busy === item.id}
                      onClick={() => void sign(item)}
                    >
                      {t('sign')}
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
