import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, useTranslate } from 'react-admin';
import { api, apiUrl } from '../api/http';

// Supervisors: who is expected at a crossing point on a day, to print or to download (each
// look is audited by the server).
export function Manifest() {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.manifest.${key}`);
  const crossings = useQuery({
    queryKey: ['crossings'],
    queryFn: () => api<{ id: string; nameEn: string }[]>('/travel/crossings'),
  });
  const [crossing, setCrossing] = useState('');
  const [day, setDay] = useState(new Date().toISOString().slice(0, 10));
  const url = (format: 'html' | 'csv') =>
    apiUrl('/travel/manifest', { crossingPointId: crossing, date: day, format });
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="app.manifest.title" />
      <CardContent>
        <Typography variant="h6" component="h1" gutterBottom>
          {t('title')}
        </Typography>
        <Stack
          direction="row"
          spacing={1}
          sx={{ alignItems: 'center', flexWrap: 'wrap' }}
          useFlexGap
        >
          <TextField
            select
            size="small"
            label={t('crossing')}
            value={crossing}
            onChange={(e) => setCrossing(e.target.value)}
            sx={{ minWidth: 260 }}
          >
            {crossings.data?.map((c) => (
              <MenuItem key={c.id} value={c.id}>
                {c.nameEn}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            type="date"
            label={t('day')}
            value={day}
            onChange={(e) => setDay(e.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <Button
            variant="contained"
            disabled={!crossing}
            href={url('html')}
            target="_blank"
            rel="noopener"
          >
            {t('open')}
          </Button>
          <Button variant="outlined" disabled={!crossing} href={url('csv')}>
            {t('csv')}
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}
