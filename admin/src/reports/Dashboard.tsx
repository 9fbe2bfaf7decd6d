import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
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
import { useState, type ReactNode } from 'react';
import { Title, useTranslate } from 'react-admin';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, apiUrl } from '../api/http';

type Row = Record<string, string | number | boolean | null>;
interface Filters {
  from: string;
  to: string;
  channel: string;
}

const CHANNELS = ['phone', 'email', 'web', 'in_person'];

function useReport(name: string, filters: Filters) {
  const query = {
    from: filters.from || undefined,
    to: filters.to || undefined,
    channel: filters.channel || undefined,
  };
  return useQuery({
    queryKey: ['report', name, query],
    queryFn: () => api<{ rows: Row[] }>(`/reports/${name}`, { query }).then((r) => r.rows),
  });
}

// A report's figures as a table, every column as the API names it, with its CSV download.
function Section(props: { name: string; filters: Filters; chart?: (rows: Row[]) => ReactNode }) {
  const translate = useTranslate();
  const report = useReport(props.name, props.filters);
  const rows = report.data ?? [];
  const columns = rows.length ? Object.keys(rows[0]) : [];
  const csv = apiUrl(`/reports/${props.name}`, {
    from: props.filters.from || undefined,
    to: props.filters.to || undefined,
    channel: props.filters.channel || undefined,
    format: 'csv',
  });
  return (
    <Card
      component="section"
      aria-labelledby={`report-${props.name}`}
      sx={{ breakInside: 'avoid' }}
      data-report={props.name}
    >
      <CardContent>
        <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography id={`report-${props.name}`} variant="h6" component="h2">
            {translate(`app.reports.name.${props.name}`)}
          </Typography>
          <Button size="small" href={csv} className="no-print">
            {translate('app.reports.csv')}
          </Button>
        </Stack>
        {rows.length > 0 && props.chart?.(rows)}
        {report.isSuccess && rows.length === 0 && (
          <Typography>{translate('app.reports.empty')}</Typography>
        )}
        {rows.length > 0 && (
          <Table size="small" aria-labelledby={`report-${props.name}`}>
            <TableHead>
              <TableRow>
                {columns.map((c) => (
                  <TableCell key={c}>{c}</TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((r, i) => (
                <TableRow key={i}>
                  {columns.map((c) => (
                    <TableCell key={c} data-column={c}>
                      {r[c] === null ? '—' : String(r[c])}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

// Where every case stands, what is stuck, how fast families get answers: the reports, with
// filters, a chart where one helps, and each as CSV. Prints without the menus.
export function Dashboard() {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.reports.${key}`);
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', channel: '' });
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setFilters((f) => ({ ...f, [key]: e.target.value }));
  return (
    <Box sx={{ mt: 2, '@media print': { '.no-print': { display: 'none' } } }}>
      <Title title="app.reports.title" />
      <Stack
        direction="row"
        spacing={1}
        sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}
        useFlexGap
        className="no-print"
      >
        <TextField
          size="small"
          type="date"
          label={t('from')}
          value={filters.from}
          onChange={set('from')}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          size="small"
          type="date"
          label={t('to')}
          value={filters.to}
          onChange={set('to')}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          select
          size="small"
          label={t('channel')}
          value={filters.channel}
          onChange={set('channel')}
          sx={{ minWidth: 160 }}
        >
          <MenuItem value="">{t('all')}</MenuItem>
          {CHANNELS.map((c) => (
            <MenuItem key={c} value={c}>
              {translate(`app.channel.${c}`)}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="outlined" onClick={() => window.print()}>
          {t('print')}
        </Button>
      </Stack>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', xl: '1fr 1fr' }, gap: 2 }}>
        <Section
          name="status"
          filters={filters}
          chart={(rows) => (
            <BarChart width={520} height={220} data={rows} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="status" hide />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar dataKey="count" fill="#0d47a1" />
            </BarChart>
          )}
        />
        <Section
          name="trend"
          filters={filters}
          chart={(rows) => (
            <LineChart width={520} height={220} data={rows} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="week" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line dataKey="created" stroke="#0d47a1" />
              <Line dataKey="closed" stroke="#2e7d32" />
            </LineChart>
          )}
        />
        <Section name="funnel" filters={filters} />
        <Section name="service-levels" filters={filters} />
        <Section name="time-in-state" filters={filters} />
        <Section name="workload" filters={filters} />
        <Section name="channels" filters={filters} />
        <Section name="routes" filters={filters} />
        <Section name="handovers" filters={filters} />
      </Box>
    </Box>
  );
}
