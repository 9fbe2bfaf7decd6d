import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, usePermissions, useTranslate } from 'react-admin';
import { api, problemOf } from '../api/http';
import { allowed, type Role } from '../api/session';

interface Prisoner {
  id: string;
  personalNumber: string;
  surname: string;
  givenNames: string;
  patronymic: string | null;
  birthDate: string | null;
  rank: string | null;
  militaryUnit: string | null;
  locationCategory: string;
}

interface RowError {
  row: number;
  errors: { field: string; message: string }[];
}

interface ImportReport {
  total: number;
  imported: number;
  created: number;
  updated: number;
  skipped: number;
  invalid: RowError[];
}

// The prisoner registry: search it in any script, and (supervisors) import the authority's file,
// with every bad row listed when it is refused.
export function Registry() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.registry.${key}`, args);
  const { permissions } = usePermissions<Role[]>();
  const [text, setText] = useState('');
  const [q, setQ] = useState<string>();
  const found = useQuery({
    queryKey: ['registry', q],
    queryFn: () =>
      api<{ items: Prisoner[]; total: number }>('/registry/prisoners', {
        query: { q, pageSize: 50 },
      }),
    enabled: q !== undefined,
  });
  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Title title="app.registry.title" />
      <Card>
        <CardContent>
          <Typography variant="h6" component="h1" gutterBottom>
            {t('title')}
          </Typography>
          <Stack
            direction="row"
            spacing={1}
            component="form"
            onSubmit={(e) => {
              e.preventDefault();
              setQ(text.trim());
            }}
          >
            <TextField
              size="small"
              label={t('search')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              helperText={t('search_help')}
            />
            <div>
              <Button type="submit" variant="contained">
                {t('find')}
              </Button>
            </div>
          </Stack>
          {found.isSuccess && (
            <>
              <Typography sx={{ mt: 2 }}>{t('found', { count: found.data.total })}</Typography>
              <Table size="small" aria-label={t('results')}>
                <TableHead>
                  <TableRow>
                    <TableCell>{t('name')}</TableCell>
                    <TableCell>{t('number')}</TableCell>
                    <TableCell>{t('born')}</TableCell>
                    <TableCell>{t('unit')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {found.data.items.map((p) => (
                    <TableRow key={p.id} data-testid="prisoner">
                      <TableCell>
                        {[p.surname, p.givenNames, p.patronymic].filter(Boolean).join(' ')}
                      </TableCell>
                      <TableCell>{p.personalNumber}</TableCell>
                      <TableCell>{p.birthDate ?? '—'}</TableCell>
                      <TableCell>{p.militaryUnit ?? '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )}
        </CardContent>
      </Card>
      {allowed(permissions, 'registry', 'import') && <RegistryImport />}
    </Stack>
  );
}

function RegistryImport() {
  const translate = useTranslate();
  const t = (key: string, args?: Record<string, unknown>) => translate(`app.registry.${key}`, args);
  const [file, setFile] = useState<File>();
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [encoding, setEncoding] = useState('utf-8');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [failure, setFailure] = useState<{
    title: string;
    detail?: string;
    invalid?: RowError[];
  }>();
  const run = async () => {
    if (!file) return;
    setBusy(true);
    setReport(undefined);
    setFailure(undefined);
    try {
      const json = file.name.toLowerCase().endsWith('.json');
      setReport(
        await api<ImportReport>('/registry/imports', {
          method: 'POST',
          query: { skipInvalid, encoding: json ? undefined : encoding },
          file: { data: file, contentType: json ? 'application/json' : 'text/csv' },
        }),
      );
    } catch (error) {
      const problem = problemOf(error);
      setFailure({
        title: problem?.title ?? String(error),
        detail: problem?.detail,
        invalid: (problem?.report as ImportReport | undefined)?.invalid,
      });
    } finally {
      setBusy(false);
    }
  };
  const invalid = report?.invalid.length ? report.invalid : failure?.invalid;
  return (
    <Card>
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          {t('import')}
        </Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {t('import_help')}
        </Typography>
        <Stack
          sx={{ flexWrap: 'wrap', alignItems: 'center' }}
          direction="row"
          spacing={2}
          useFlexGap
        >
          <Button variant="outlined" component="label">
            {file ? file.name : t('choose_file')}
            <input
              hidden
              type="file"
              accept=".csv,.json,text/csv,application/json"
              aria-label={t('choose_file')}
              onChange={(e) => setFile(e.target.files?.[0])}
            />
          </Button>
          <TextField
            select
            size="small"
            label={t('encoding')}
            value={encoding}
            onChange={(e) => setEncoding(e.target.value)}
            sx={{ minWidth: 160 }}
          >
            <MenuItem value="utf-8">UTF-8</MenuItem>
            <MenuItem value="windows-1251">windows-1251</MenuItem>
          </TextField>
          <FormControlLabel
            control={
              <Checkbox checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
            }
            label={t('skip_invalid')}
          />
          <Button variant="contained" disabled={!file || busy} onClick={() => void run()}>
            {t('run_import')}
          </Button>
        </Stack>
        {report && (
          <Alert severity="success" sx={{ mt: 2 }}>
            {t('imported', report as unknown as Record<string, unknown>)}
          </Alert>
        )}
        {failure && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {failure.title}
            {failure.detail ? ` — ${failure.detail}` : ''}
          </Alert>
        )}
        {invalid && invalid.length > 0 && (
          <Table size="small" aria-label={t('bad_rows')} sx={{ mt: 1 }}>
            <TableHead>
              <TableRow>
                <TableCell>{t('row')}</TableCell>
                <TableCell>{t('errors')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {invalid.map((r) => (
                <TableRow key={r.row} data-testid="bad-row">
                  <TableCell>{r.row}</TableCell>
                  <TableCell>{r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}
